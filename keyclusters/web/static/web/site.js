// The site's own behaviour, kept out of the pages: the Content-Security-Policy allows scripts
// from the site's files only (no inline script, no on… attribute, no hx-on).
(function () {
  "use strict";

  // The menus of the navigation bar (<details class="nav-menu">) close on a click outside
  // them and on Escape, as a dropdown does.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.nav-menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) {
        menu.removeAttribute("open");
      }
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    document.querySelectorAll("details.nav-menu[open]").forEach(function (menu) {
      menu.removeAttribute("open");
      var summary = menu.querySelector("summary");
      if (summary && menu.contains(document.activeElement)) {
        summary.focus();
      }
    });
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
