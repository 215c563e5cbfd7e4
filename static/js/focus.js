// After htmx swaps in a section, keyboard focus would fall back to the top of the page.
// Move it to where the change happened: the first field with an error, else a field
// the server marked autofocus (the edit form's text), else the updated section itself.
// A form marked data-keep-focus (the live search) keeps focus where the person is typing.
(function () {
  "use strict";

  document.addEventListener("htmx:afterSettle", function (event) {
    var source = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (source && source.closest && source.closest("[data-keep-focus]")) return;
    var target = event.detail.target;
    // An outerHTML swap replaces the target: find its successor by id.
    var region = target && target.id ? document.getElementById(target.id) : target;
    if (!region || !region.isConnected) return;
    var field = region.querySelector("[aria-invalid=true]") || region.querySelector("[autofocus]");
    if (field) {
      var details = field.closest("details");
      if (details) details.open = true;
      field.focus();
      return;
    }
    if (!region.hasAttribute("tabindex")) region.setAttribute("tabindex", "-1");
    region.focus({ preventScroll: true });
  });
})();
