/* bpcourse: a few lines of plain JavaScript. The site works without it; with it, a submission's
   status updates live and a form cannot be sent twice by a double click. */
(function () {
  "use strict";

  // Live status, the one polling loop of the site: a submission being graded
  // (<div data-status-url="…" data-final="false">) or a regrade job (data-job-url) is replaced by
  // the server's fragment whenever it changes, until the server says it is final.
  // A submission's page asks at once and sends the status it shows (?known=…) and how long it is
  // willing to wait (&wait=…): the server holds the request until the worker announces the
  // verdict (a long poll, up to its own limit) and answers "waited", and the page asks again at
  // once. A server that does not wait answers at once; then the page asks soon and often during
  // the first second (FIRST_POLLS), then every 0.4 s growing to 3 s. While the status is
  // unchanged the server answers with a few bytes from one small query instead of the fragment.
  var FIRST_POLLS = [0, 50, 75, 100, 125, 150, 200, 300];
  var WAIT_S = 25;

  function pollLive(container) {
    var submission = container.hasAttribute("data-status-url");
    var url = container.getAttribute("data-status-url") || container.getAttribute("data-job-url");
    var announcer = document.getElementById("status-announcer");
    var first = submission ? FIRST_POLLS.slice() : [];
    var delay = 400;
    var failures = 0;
    var shown = null;

    function schedule() {
      if (first.length) {
        window.setTimeout(poll, first.shift());
        return;
      }
      window.setTimeout(poll, delay);
      delay = Math.min(delay * 1.5, 3000);
    }

    function pollUrl() {
      if (!submission) { return url; }
      var known = container.getAttribute("data-status") || "";
      return url + (url.indexOf("?") < 0 ? "?" : "&") + "known=" + encodeURIComponent(known) + "&wait=" + WAIT_S;
    }

    function poll() {
      fetch(pollUrl(), { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          return response.json();
        })
        .then(function (data) {
          failures = 0;
          if (data.html && data.html !== shown) {
            var statusChanged = container.getAttribute("data-status") !== data.status;
            container.innerHTML = data.html;
            shown = data.html;
            container.setAttribute("data-status", data.status);
            if (statusChanged && announcer && data.status_label) { announcer.textContent = data.status_label; }
          }
          if (data.final) {
            container.setAttribute("data-final", "true");
          } else if (data.waited) {
            poll();
          } else {
            schedule();
          }
        })
        .catch(function () {
          failures += 1;
          if (failures === 5) {
            var note = container.querySelector("[data-poll-note]");
            if (note) { note.hidden = false; }
          }
          schedule();
        });
    }

    schedule();
  }

  document.querySelectorAll("[data-status-url][data-final='false'], [data-job-url][data-final='false']")
    .forEach(pollLive);

  // One click, one submission: disable the submit buttons once a form is on its way.
  document.querySelectorAll("form[data-single-submit]").forEach(function (form) {
    form.addEventListener("submit", function () {
      window.setTimeout(function () {
        form.querySelectorAll("button[type='submit']").forEach(function (button) {
          button.disabled = true;
          var busy = button.getAttribute("data-busy-label");
          if (busy) { button.textContent = busy; }
        });
      }, 0);
    });
  });

  // Coming back with the browser's Back button restores the page as it was: enable the buttons.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) { return; }
    document.querySelectorAll("form[data-single-submit] button[type='submit']").forEach(function (button) {
      button.disabled = false;
      var idle = button.getAttribute("data-idle-label");
      if (idle) { button.textContent = idle; }
    });
  });
})();
