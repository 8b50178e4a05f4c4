/* bpcourse homework pages: a few lines of plain JavaScript, served by the site. Every page works
   without it; with it, the assignment form previews a sample variant as you type, shows only the
   fields of the chosen network type. (Live status and regrade progress: site.js.) */
(function () {
  "use strict";

  // ------------------------------------------------------------------ show fields conditionally
  // <div data-show-if="network=custom"> is shown only while the form's "network" field is "custom".
  function fieldValue(form, name) {
    var checked = form.querySelector("input[name='" + name + "']:checked");
    if (checked) { return checked.type === "checkbox" ? "on" : checked.value; }
    var field = form.querySelector("select[name='" + name + "'], input[name='" + name + "']:not([type='radio']):not([type='checkbox'])");
    return field ? field.value : "";
  }

  function updateVisibility(form) {
    form.querySelectorAll("[data-show-if]").forEach(function (element) {
      var rule = element.getAttribute("data-show-if").split("=");
      var wanted = rule[1].split("|");
      element.hidden = wanted.indexOf(fieldValue(form, rule[0])) === -1;
    });
  }

  // A warning while answers are revealed after each of several attempts (they could be typed in).
  function updateRevealWarning(form) {
    var warning = form.querySelector("[data-reveal-warning]");
    if (!warning) { return; }
    var attempts = fieldValue(form, "attempts_allowed").trim();
    warning.hidden = !(fieldValue(form, "reveal") === "after_submission" && attempts !== "1");
  }

  // ---------------------------------------------------------------------------- live preview
  function livePreview(form) {
    var url = form.getAttribute("data-preview-url");
    var target = document.getElementById("assignment-preview");
    var announcer = document.getElementById("preview-status");
    if (!url || !target) { return; }
    var timer = null;
    var sequence = 0;

    function swapChecklist(fragment) {
      var incoming = fragment.querySelector("template[data-checklist]");
      var current = document.getElementById("parts-checklist");
      if (!incoming || !current) { return; }
      if (incoming.getAttribute("data-signature") === current.getAttribute("data-signature")) { return; }
      current.innerHTML = "";
      current.appendChild(incoming.content.cloneNode(true));
      current.setAttribute("data-signature", incoming.getAttribute("data-signature"));
      wireStepButtons(current);
    }

    // The fixed values' boxes follow the layer sizes: a new shape brings the server's new grid
    // (drawn from the posted boxes, so typed numbers stay where they were).
    function swapValuesGrid(fragment) {
      var incoming = fragment.querySelector("template[data-values-grid]");
      var current = document.getElementById("values-grid");
      if (!incoming || !current) { return; }
      if (incoming.getAttribute("data-signature") === current.getAttribute("data-signature")) { return; }
      current.innerHTML = "";
      current.appendChild(incoming.content.cloneNode(true));
      current.setAttribute("data-signature", incoming.getAttribute("data-signature"));
    }

    function refresh() {
      var mine = ++sequence;
      target.setAttribute("aria-busy", "true");
      fetch(url, { method: "POST", body: new FormData(form), credentials: "same-origin",
                   headers: { "X-Requested-With": "fetch" } })
        .then(function (response) { return response.text(); })
        .then(function (html) {
          if (mine !== sequence) { return; }  // an older answer arriving late
          var holder = document.createElement("div");
          holder.innerHTML = html;
          swapChecklist(holder);
          swapValuesGrid(holder);
          holder.querySelectorAll("template[data-checklist], template[data-values-grid]").forEach(function (t) { t.remove(); });
          target.innerHTML = holder.innerHTML;
          target.removeAttribute("aria-busy");
          if (announcer) { announcer.textContent = announcer.getAttribute("data-done"); }
        })
        .catch(function () {
          if (mine !== sequence) { return; }
          target.removeAttribute("aria-busy");
          if (announcer) { announcer.textContent = announcer.getAttribute("data-failed"); }
        });
    }

    function schedule(event) {
      if (event && event.target && event.target.closest("[data-no-preview]")) { return; }
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 450);
    }

    form.addEventListener("input", schedule);
    form.addEventListener("change", schedule);
    var button = document.getElementById("preview-refresh");
    if (button) {
      button.hidden = false;
      button.addEventListener("click", function (event) { event.preventDefault(); refresh(); });
    }
  }

  // ----------------------------------------------------- tick or clear every part of a step
  function wireStepButtons(root) {
    root.querySelectorAll("[data-step-toggle]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function (event) {
        event.preventDefault();
        var group = button.closest("[data-step-group]");
        var boxes = group.querySelectorAll("input[type='checkbox'][name='parts']");
        var allOn = Array.prototype.every.call(boxes, function (box) { return box.checked; });
        boxes.forEach(function (box) { box.checked = !allOn; });
        boxes[0] && boxes[0].dispatchEvent(new Event("change", { bubbles: true }));
      });
    });
  }

  document.querySelectorAll("form[data-assignment-form]").forEach(function (form) {
    updateVisibility(form);
    updateRevealWarning(form);
    form.addEventListener("change", function () { updateVisibility(form); updateRevealWarning(form); });
    form.addEventListener("input", function () { updateRevealWarning(form); });
    wireStepButtons(form);
    livePreview(form);
  });
})();
