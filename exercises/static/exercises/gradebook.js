/* The gradebook's sortable columns, without a page load: each column header holds a button (a
   GET form's submit button, so without JavaScript the server sorts); here a click sorts the rows in
   place, sets aria-sort on the header and keeps the order in the address (?sort=key, ?sort=-key). */
(function () {
  "use strict";

  function cellValue(row, index, key) {
    var cell = row.children[index];
    var raw = cell ? cell.getAttribute("data-sort-value") : "";
    if (key === "student") { return Number(raw); }
    return raw === "" || raw === null ? null : Number(raw);
  }

  function sortTable(table, button) {
    var header = button.closest("th");
    var headers = Array.prototype.slice.call(header.parentNode.children);
    var index = headers.indexOf(header);
    var key = button.getAttribute("data-sort-key");
    var descending = button.value.charAt(0) === "-";
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    if (key === "student") {
      rows.sort(function (a, b) { return cellValue(a, 0, key) - cellValue(b, 0, key); });
      if (descending) { rows.reverse(); }
    } else {
      var filled = rows.filter(function (row) { return cellValue(row, index, key) !== null; });
      var blank = rows.filter(function (row) { return cellValue(row, index, key) === null; });
      filled.sort(function (a, b) {
        var diff = cellValue(a, index, key) - cellValue(b, index, key);
        return (descending ? -diff : diff) || (cellValue(a, 0, "student") - cellValue(b, 0, "student"));
      });
      rows = filled.concat(blank);
    }
    rows.forEach(function (row) { body.appendChild(row); });
    var direction = descending ? "descending" : "ascending";
    headers.forEach(function (th) {
      th.removeAttribute("aria-sort");
      var other = th.querySelector(".sort-button");
      if (other) { other.value = other.getAttribute("data-sort-key"); }
    });
    header.setAttribute("aria-sort", direction);
    button.value = descending ? key : "-" + key;
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", "?sort=" + (descending ? "-" : "") + encodeURIComponent(key));
    }
    var status = document.getElementById("sort-status");
    if (status) { status.textContent = button.textContent.trim() + " · " + (table.getAttribute("data-label-" + direction) || direction); }
  }

  function init() {
    var table = document.getElementById("gradebook");
    if (table) {
      table.addEventListener("click", function (event) {
        var button = event.target.closest(".sort-button");
        if (!button) { return; }
        event.preventDefault();
        sortTable(table, button);
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else { init(); }
})();
