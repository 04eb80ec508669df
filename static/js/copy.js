// Copy buttons beside an account or a reference (billing/_invoice_details.html). They come hidden:
// without JavaScript the value is plain text to select; with it, one tap copies it.
document.addEventListener("click", function (event) {
  var button = event.target.closest("button[data-copy]");
  if (!button || !navigator.clipboard) return;
  navigator.clipboard.writeText(button.dataset.copy).then(function () {
    var label = button.textContent;
    button.textContent = button.dataset.copied;
    setTimeout(function () { button.textContent = label; }, 2000);
  });
});
function showCopyButtons(root) {
  if (!navigator.clipboard) return;
  root.querySelectorAll("button[data-copy][hidden]").forEach(function (button) { button.hidden = false; });
}
document.addEventListener("DOMContentLoaded", function () { showCopyButtons(document); });
// htmx:load fires for every piece of content htmx puts in the page (an invoice row opened in place).
document.addEventListener("htmx:load", function (event) { showCopyButtons(event.target); });
