// Confirmation before destructive actions: <form data-confirm="Delete this document?"> asks
// before it submits; "Cancel" leaves the page as it was. Loaded on every page by base.html.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.confirm) { return; }
    if (!window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
})();
