// "Exit this page", after the GOV.UK Design System pattern: the link works without this script; with it,
// the page is hidden at once, and pressing Shift three times (on its own) leaves too, with a countdown for
// screen readers. Escape is not used: browsers also use it to stop a page loading.
(function () {
  "use strict";
  var root = document.querySelector("[data-exit-this-page]");
  if (!root) { return; }
  var link = root.querySelector("a");
  var status = root.querySelector("[role=status]");
  var presses = 0;
  var combo = false;
  var timer = null;

  function say(text) { if (status) { status.textContent = text || ""; } }

  function leave(event) {
    if (event) { event.preventDefault(); }
    document.documentElement.classList.add("exiting");
    var overlay = document.createElement("div");
    overlay.className = "exit-overlay";
    overlay.setAttribute("role", "alert");
    overlay.textContent = root.getAttribute("data-loading") || "";
    document.body.appendChild(overlay);
    window.location.replace(link.href);
  }

  function reset() {
    if (presses > 0) { say(root.getAttribute("data-expired")); }
    presses = 0;
    timer = null;
  }

  link.addEventListener("click", leave);
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Shift") { combo = true; }
  }, true);
  document.addEventListener("keyup", function (event) {
    if (event.key !== "Shift") { presses = 0; if (!event.shiftKey) { combo = false; } return; }
    if (combo) { combo = false; presses = 0; return; }  // Shift used with another key: typing, not exiting
    presses += 1;
    if (timer) { window.clearTimeout(timer); }
    timer = window.setTimeout(reset, 5000);
    if (presses >= 3) { leave(); return; }
    say(root.getAttribute(presses === 1 ? "data-press-two" : "data-press-one"));
  }, true);
  window.addEventListener("pageshow", function () {  // back from the neutral page (bfcache): show the page again
    document.documentElement.classList.remove("exiting");
    var overlay = document.querySelector(".exit-overlay");
    if (overlay) { overlay.parentNode.removeChild(overlay); }
    presses = 0;
  });
})();
