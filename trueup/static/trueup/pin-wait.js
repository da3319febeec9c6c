// Counts down the wait before the next PIN try on the invitation page. The server refuses a
// try made before the wait is over, so without this script the page still works: it only
// saves a pointless try and says when the PIN may be entered.
(function () {
  "use strict";
  var box = document.getElementById("pin-wait");
  if (!box) {
    return;
  }
  var left = parseInt(box.getAttribute("data-wait-seconds"), 10);
  var count = box.querySelector(".wait-count");
  var unit = box.querySelector(".wait-unit");
  var form = box.closest("form");
  var button = form ? form.querySelector("button[type=submit]") : null;
  var ready = document.getElementById("pin-ready");
  if (button) {
    button.disabled = true;
  }
  function tick() {
    left -= 1;
    if (left > 0) {
      count.textContent = String(left);
      // The page's own words for the unit, in its language.
      unit.textContent = box.getAttribute(left === 1 ? "data-second" : "data-seconds");
      window.setTimeout(tick, 1000);
      return;
    }
    box.textContent = box.getAttribute("data-ready");
    box.classList.remove("error");
    if (ready) {
      ready.textContent = box.getAttribute("data-ready");
    }
    if (button) {
      button.disabled = false;
    }
  }
  window.setTimeout(tick, 1000);
})();
