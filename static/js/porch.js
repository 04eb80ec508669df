// Porch's own script: small helps that the pages do without. Everything it shows comes hidden, so
// without JavaScript nothing appears that would not work.

// Copy buttons beside an account or a reference (billing/_invoice_details.html): without JavaScript
// the value is plain text to select; with it, one tap copies it.
document.addEventListener("click", function (event) {
  var button = event.target.closest("button[data-copy]");
  if (!button || !navigator.clipboard) return;
  navigator.clipboard.writeText(button.dataset.copy).then(function () {
    var label = button.textContent;
    button.textContent = button.dataset.copied;
    setTimeout(function () { button.textContent = label; }, 2000);
  });
});

// Show what needs the script: copy buttons (when the clipboard is there) and [data-scripted] controls,
// such as the search field of a person picker (register/_owner_rows.html).
function showScripted(root) {
  if (navigator.clipboard) {
    root.querySelectorAll("button[data-copy][hidden]").forEach(function (button) { button.hidden = false; });
  }
  root.querySelectorAll("[data-scripted][hidden]").forEach(function (element) { element.hidden = false; });
}
document.addEventListener("DOMContentLoaded", function () { showScripted(document); });
// htmx:load fires for every piece of content htmx puts in the page (an invoice row opened in place).
document.addEventListener("htmx:load", function (event) { showScripted(event.target); });
