// A table wider than the screen scrolls inside its own box (app.css); a keyboard user reaches
// that box only if it takes focus, so each box that scrolls now gets into the tab order, and
// leaves it when the screen is wide enough again. Without this script the table still scrolls
// by touch and by mouse.
(function () {
  "use strict";
  var SELECTOR = "table.list, .table-scroll";

  function mark() {
    document.querySelectorAll(SELECTOR).forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("data-scroll-focus", "");
      } else if (!scrolls && box.hasAttribute("data-scroll-focus")) {
        box.removeAttribute("tabindex");
        box.removeAttribute("data-scroll-focus");
      }
    });
  }

  document.addEventListener("DOMContentLoaded", mark);
  document.addEventListener("htmx:afterSettle", mark);
  window.addEventListener("resize", mark);
})();
