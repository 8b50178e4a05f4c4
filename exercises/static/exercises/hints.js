/* bpcourse: hints in place. A hint button ([data-hint-button]) submits its answer sheet to the
   hint address; here the same request is sent with fetch (the typed answers go along, so level 3
   can put them in) and the part's panel is replaced by the one the server returns. Its levels sit
   in an aria-live region, so the new hint is read out; focus moves to the next button, or to the
   new hint when it was the last. Without this script the button works as a plain form submit. */
(function () {
  "use strict";

  function replacePanel(panel, html) {
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var fresh = holder.firstElementChild;
    if (!fresh) { return null; }
    // keep the live region itself so that screen readers announce what is added to it
    var levels = panel.querySelector("[data-hint-levels]");
    var freshLevels = fresh.querySelector("[data-hint-levels]");
    if (levels && freshLevels) {
      levels.innerHTML = freshLevels.innerHTML;
      var oldButton = panel.querySelector("[data-hint-button]");
      var newButton = fresh.querySelector("[data-hint-button]");
      if (oldButton && newButton) { oldButton.replaceWith(newButton); }
      else if (oldButton) { oldButton.remove(); }
      else if (newButton) { panel.appendChild(newButton); }
      return panel;
    }
    panel.replaceWith(fresh);
    return fresh;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-hint-button]") : null;
    if (!button || !button.form || !window.fetch || !window.FormData) { return; }
    event.preventDefault();
    if (button.getAttribute("aria-busy") === "true") { return; }
    var form = button.form;
    var panel = button.closest("[data-hint-panel]");
    var body = new FormData(form);
    body.set("hint", button.value);
    body.delete("action");
    button.setAttribute("aria-busy", "true");
    window.fetch(button.getAttribute("formaction"), {
      method: "POST", body: body, credentials: "same-origin", headers: {"Accept": "application/json"}
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return {ok: response.ok, data: data};
      });
    }).then(function (result) {
      button.removeAttribute("aria-busy");
      if (!result.ok || !result.data.html) {
        var message = panel.querySelector("[data-hint-error]") || document.createElement("p");
        message.className = "field-error";
        message.setAttribute("data-hint-error", "");
        message.setAttribute("role", "alert");
        message.textContent = result.data.detail || button.getAttribute("data-error") || "";
        if (!message.parentNode) { panel.appendChild(message); }
        if (!message.textContent) { form.requestSubmit ? form.requestSubmit(button) : form.submit(); }
        return;
      }
      var updated = replacePanel(panel, result.data.html);
      if (!updated) { return; }
      var next = updated.querySelector("[data-hint-button]");
      var last = updated.querySelector("[data-hint-levels] .hint:last-child");
      if (next) { next.focus(); }
      else if (last) { last.setAttribute("tabindex", "-1"); last.focus(); }
    }).catch(function () {
      button.removeAttribute("aria-busy");
      form.requestSubmit ? form.requestSubmit(button) : form.submit();
    });
  });
})();
