// Small behaviours shared by every page. No inline script anywhere, so the CSP can forbid it.
(function () {
  "use strict";

  // Forms marked data-autosubmit submit when a select changes (campaign switch, filters).
  document.addEventListener("change", function (event) {
    var form = event.target.closest("form[data-autosubmit]");
    if (form && event.target.tagName === "SELECT") {
      form.requestSubmit ? form.requestSubmit() : form.submit();
    }
  });

  // Irreversible steps ask first: <button data-confirm="...">.
  document.addEventListener("click", function (event) {
    var el = event.target.closest("[data-confirm]");
    if (el && !window.confirm(el.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // htmx: show server-side validation fragments (422) instead of dropping them, and report failures.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 422 || status === 409) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
