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

// The discussions' poll for new posts (community/_poll.html) waits while the tab is hidden: a request
// from a [data-poll] element is cancelled then, and the next tick after the tab is shown goes out.
// (htmx's own trigger filters would need eval, which the Content-Security-Policy forbids.)
document.addEventListener("htmx:beforeRequest", function (event) {
  if (document.hidden && event.detail.elt && event.detail.elt.closest("[data-poll]")) event.preventDefault();
});

// A refusal the server wants shown in place (a post whose edit window closed: 403 with the post and why,
// marked X-Porch-Swap) is swapped like an answer, not dropped as an error.
document.addEventListener("htmx:beforeSwap", function (event) {
  var xhr = event.detail.xhr;
  if (xhr && xhr.status === 403 && xhr.getResponseHeader("X-Porch-Swap")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
