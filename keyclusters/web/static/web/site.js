// The site's own behaviour, kept out of the pages: the Content-Security-Policy allows scripts
// from the site's files only (no inline script, no on… attribute, no hx-on).
(function () {
  "use strict";

  // A select that sends its form when it changes (the language switcher; a button does the
  // same without JavaScript).
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target instanceof HTMLSelectElement && target.hasAttribute("data-submit-on-change")) {
      if (target.form) {
        target.form.submit();
      }
    }
  });

  // An htmx request whose element has data-swap-conflict shows a 409 answer (e.g. "the sheet
  // was submitted meanwhile") where a success would go, instead of dropping it as an error.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var source = event.detail.requestConfig && event.detail.requestConfig.elt;
    var element = source || event.target;
    if (
      event.detail.xhr.status === 409 &&
      element instanceof Element &&
      element.hasAttribute("data-swap-conflict")
    ) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
