/* bpcourse: answers that survive. A form with data-draft-key keeps its boxes in localStorage as
   they are typed (one entry per variant) and fills empty boxes from it on load, reload or Back;
   clearing every box clears the entry. Leaving a page whose boxes were typed into and not sent
   (data-draft-key or data-warn-unsaved) asks first, and so do links with data-confirm ("New variant"). */
(function () {
  "use strict";

  var PREFIX = "bpcourse:draft:";

  function storage() {
    try { return window.localStorage; } catch (error) { return null; }
  }

  function boxes(form) {
    return Array.prototype.filter.call(form.elements, function (element) {
      return element.tagName === "INPUT" && element.type === "text" && element.name;
    });
  }

  function read(store, key) {
    try { return JSON.parse(store.getItem(PREFIX + key) || "null"); } catch (error) { return null; }
  }

  var unsaved = false;
  var leaving = false;

  document.querySelectorAll("form[data-draft-key], form[data-warn-unsaved]").forEach(function (form) {
    var key = form.getAttribute("data-draft-key");
    var store = key ? storage() : null;
    var note = form.querySelector("[data-draft-note]");

    if (store) {
      var draft = read(store, key);
      var restored = 0;
      if (draft && draft.answers) {
        boxes(form).forEach(function (box) {
          var text = draft.answers[box.name];
          if (!box.value && typeof text === "string" && text) { box.value = text; restored += 1; }
        });
      }
      if (restored && note) {
        note.textContent = note.getAttribute("data-restored-text") || "";
        note.hidden = false;
      }
    }

    form.addEventListener("input", function () {
      unsaved = true;
      if (!store) { return; }
      var answers = {};
      var any = false;
      boxes(form).forEach(function (box) { answers[box.name] = box.value; if (box.value) { any = true; } });
      try {
        if (any) { store.setItem(PREFIX + key, JSON.stringify({ answers: answers, saved: Date.now() })); }
        else { store.removeItem(PREFIX + key); }
      } catch (error) { /* storage full or refused: the page still works */ }
    });

    // Sending the form is leaving on purpose. The browser's copy stays: Back to this page (or
    // opening it again) brings the last typed answers back, empty boxes only.
    form.addEventListener("submit", function () { leaving = true; });
  });

  function hasWork() {
    if (!unsaved) { return false; }
    return Array.prototype.some.call(
      document.querySelectorAll("form[data-draft-key] input[type=text], form[data-warn-unsaved] input[type=text]"),
      function (box) { return box.value !== ""; }
    );
  }

  window.addEventListener("beforeunload", function (event) {
    if (leaving || !hasWork()) { return; }
    event.preventDefault();
    event.returnValue = "";
  });

  document.querySelectorAll("a[data-confirm]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (!hasWork()) { return; }
      if (window.confirm(link.getAttribute("data-confirm"))) {
        leaving = true;  // asked once already: no second question from beforeunload
      } else {
        event.preventDefault();
      }
    });
  });

  // Back to a page kept in the browser's memory: it may be left again with a question.
  window.addEventListener("pageshow", function () { leaving = false; });
})();
