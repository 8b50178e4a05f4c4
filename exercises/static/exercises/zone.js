/* The browser's time zone (IANA name) reaches the server in a cookie, read at sign-up and login
   and for visitors who are not signed in; the account page can choose another. */
(function () {
  "use strict";
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (e) {
    return;
  }
  if (!zone || !/^[A-Za-z0-9_+\-\/]{1,64}$/.test(zone)) { return; }
  var current = document.cookie.match(/(?:^|;\s*)bp_tz=([^;]*)/);
  if (!current || decodeURIComponent(current[1]) !== zone) {
    document.cookie = "bp_tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; SameSite=Lax";
  }
  var fields = document.querySelectorAll("input[name=time_zone][type=hidden]");
  for (var i = 0; i < fields.length; i++) { fields[i].value = zone; }
})();
