// The project finder's live search: leave empty fields out of the request, so that the
// address bar htmx updates reads ?q=agency&kind=paper rather than a row of empty keys.
(function () {
  "use strict";

  document.addEventListener("htmx:configRequest", function (event) {
    if (!event.detail.elt.matches || !event.detail.elt.matches("#finder")) return;
    var formData = event.detail.formData;
    Array.from(formData.keys()).forEach(function (name) {
      if (formData.getAll(name).every(function (value) { return value === ""; })) {
        formData.delete(name);
      }
    });
  });
})();
