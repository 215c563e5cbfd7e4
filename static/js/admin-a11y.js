// Django's admin, made whole for screen readers where its own markup falls short:
// - the search icons of the two-box (filter_horizontal) selects carry an aria-label on a
//   plain <span>, which has no role to name: they become images with that name;
// - the tabular inlines' first and last column headers are empty: they get a name that
//   only screen readers read;
// - the tabular inlines' fields have no <label>: each is named by its column's header.
(function () {
  "use strict";

  function visuallyHidden(text) {
    var span = document.createElement("span");
    span.className = "visually-hidden";
    span.textContent = text;
    return span;
  }

  function mend(root) {
    root.querySelectorAll(".search-label-icon[aria-label]:not([role])").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
    root.querySelectorAll(".tabular table").forEach(function (table) {
      var deletes = table.querySelector("td.delete input") !== null;
      table.querySelectorAll("thead th").forEach(function (th) {
        if (th.textContent.trim() === "" && !th.querySelector(".visually-hidden")) {
          var name = th.classList.contains("original") ? "Item" : deletes ? "Delete" : "Options";
          th.appendChild(visuallyHidden(name));
        }
      });
      var headers = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
        return th.textContent.trim();
      });
      table.querySelectorAll("tbody tr").forEach(function (row) {
        Array.prototype.forEach.call(row.cells, function (cell, column) {
          cell.querySelectorAll("input:not([type=hidden]), select, textarea").forEach(function (field) {
            if (!field.labels.length && !field.hasAttribute("aria-label") && headers[column]) {
              field.setAttribute("aria-label", headers[column]);
            }
          });
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    mend(document);
    // The two-box selects are built on the window's load, after this script runs.
    new MutationObserver(function () {
      mend(document);
    }).observe(document.body, { childList: true, subtree: true });
  });
})();
