/* After an action that comes back to a long page (removing someone from the roster), the message
   saying what happened (".flash-messages") is scrolled into view and focused, so it is seen and read. */
(function () {
  "use strict";
  function focusMessages() {
    var flash = document.querySelector(".flash-messages");
    if (!flash) { return; }
    if (!flash.hasAttribute("tabindex")) { flash.setAttribute("tabindex", "-1"); }
    flash.scrollIntoView({block: "start"});
    flash.focus({preventScroll: true});
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", focusMessages); }
  else { focusMessages(); }
})();
