/* bpcourse — small accessibility helpers (no inline script: the Content-Security-Policy allows none).
   1. The main navigation collapses into a "Menu" button on narrow screens.
   2. A region that scrolls sideways (a long derivation, a wide diagram or table) can be reached and
      scrolled with the keyboard: it gets tabindex="0" while (and only while) it overflows.
   3. After a format error, focus moves to the error summary, whose links lead to the boxes. */
(function () {
  "use strict";

  function setUpMenu() {
    var header = document.querySelector(".site-header");
    var button = header && header.querySelector(".menu-toggle");
    var menu = document.getElementById("site-menu");
    if (!button || !menu) return;
    header.classList.add("menu-ready");
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", open ? "true" : "false");
      menu.classList.toggle("open", open);
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && menu.classList.contains("open")) {
        button.setAttribute("aria-expanded", "false");
        menu.classList.remove("open");
        button.focus();
      }
    });
  }

  var SCROLLERS = ".derivation, .figure, .table-scroll, .chart-figure, .formula-lines li, .givens-drawer-body, .formula-list dd";

  function markScrollers() {
    var regions = document.querySelectorAll(SCROLLERS);
    for (var i = 0; i < regions.length; i++) {
      var region = regions[i];
      var tall = region.classList.contains("givens-drawer-body") && region.scrollHeight > region.clientHeight + 1;
      if (region.scrollWidth > region.clientWidth + 1 || tall) {
        if (!region.hasAttribute("tabindex")) {
          region.setAttribute("tabindex", "0");
          region.setAttribute("data-scroll-focus", "");
        }
      } else if (region.hasAttribute("data-scroll-focus")) {
        region.removeAttribute("tabindex");
        region.removeAttribute("data-scroll-focus");
      }
    }
  }

  /* Network diagrams: hovering an edge, its label or a weight-table cell lights the edge and its
     label (and dims the rest); hovering a neuron lights every connection into and out of it. */
  function setUpDiagrams() {
    var svgs = document.querySelectorAll("svg.network");
    for (var i = 0; i < svgs.length; i++) wireDiagram(svgs[i]);
  }

  function wireDiagram(svg) {
    var tables = document.getElementById(svg.id + "-weights");
    function clear() {
      var lit = document.querySelectorAll(".is-lit, .is-dim");
      for (var i = 0; i < lit.length; i++) lit[i].classList.remove("is-lit", "is-dim");
    }
    function light(selector) {
      var parts = svg.querySelectorAll(".wire, .edge-tag");
      for (var i = 0; i < parts.length; i++) {
        parts[i].classList.add(parts[i].matches(selector) ? "is-lit" : "is-dim");
      }
    }
    function onOver(event) {
      var target = event.target.closest ? event.target.closest("[data-edge], [data-node]") : null;
      clear();
      if (!target) return;
      var edge = target.getAttribute("data-edge");
      var node = target.getAttribute("data-node");
      if (edge) {
        light('[data-edge="' + edge + '"]');
        if (tables) {
          var cell = tables.querySelector('td[data-edge="' + edge + '"]');
          if (cell) cell.classList.add("is-lit");
        }
      } else if (node) {
        light('[data-from="' + node + '"], [data-to="' + node + '"]');
        target.classList.add("is-lit");
      }
    }
    svg.addEventListener("mouseover", onOver);
    svg.addEventListener("mouseleave", clear);
    // The keyboard: one tab stop; arrows move between neurons (up/down in a layer, left/right
    // between layers); the focused neuron lights its connections as hovering does.
    svg.addEventListener("focusin", onOver);
    svg.addEventListener("focusout", clear);
    svg.addEventListener("keydown", function (event) {
      var node = event.target.closest ? event.target.closest(".node-stop") : null;
      if (!node) return;
      var layer = +node.getAttribute("data-layer"), index = +node.getAttribute("data-index");
      var moves = {ArrowUp: [0, -1], ArrowDown: [0, 1], ArrowLeft: [-1, 0], ArrowRight: [1, 0]};
      var move = moves[event.key];
      if (!move) return;
      var column = svg.querySelectorAll('.node-stop[data-layer="' + (layer + move[0]) + '"]');
      if (!column.length) return;
      var next = column[Math.max(0, Math.min(column.length - 1, move[0] ? Math.min(index, column.length - 1) : index + move[1]))];
      event.preventDefault();
      node.setAttribute("tabindex", "-1");
      next.setAttribute("tabindex", "0");
      next.focus();
    });
    if (tables) {
      tables.addEventListener("mouseover", onOver);
      tables.addEventListener("mouseleave", clear);
    }
  }

  function focusErrorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) return;
    summary.focus();
    // A link of the summary moves focus to its box, its label (or legend) scrolled into view.
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var target = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!target) return;
      event.preventDefault();
      var label = document.querySelector("label[for='" + target.id + "']");
      var legend = target.closest("fieldset") && target.closest("fieldset").querySelector("legend");
      (label || legend || target).scrollIntoView({block: "center"});
      target.focus({preventScroll: true});
    });
  }

  function start() {
    setUpMenu();
    setUpDiagrams();
    markScrollers();
    focusErrorSummary();
    var timer = null;
    document.addEventListener("toggle", function () { markScrollers(); }, true);
    window.addEventListener("resize", function () {
      clearTimeout(timer);
      timer = setTimeout(markScrollers, 150);
    });
    // Pages that update themselves (the live result) add derivations later.
    if (window.MutationObserver) {
      new MutationObserver(function () {
        clearTimeout(timer);
        timer = setTimeout(markScrollers, 50);
      }).observe(document.getElementById("main") || document.body, {childList: true, subtree: true});
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
