// Deep linking: post the signed answer back to the learning platform without a click
// (the button stays for browsers without JavaScript).
document.querySelectorAll("form[data-auto-submit]").forEach((form) => form.submit());

// Dynamic registration finished: tell the platform's window (LTI Dynamic Registration 1.0).
if (document.querySelector("[data-close-platform-window]")) {
  (window.opener || window.parent).postMessage({ subject: "org.imsglobal.lti.close" }, "*");
}
