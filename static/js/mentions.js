// Names offered after "@" in a text being written (textareas marked data-mention-lookup):
// htmx fetches the people whose username or display name starts with what follows the "@"
// (accounts.views.mention_lookup) into a listbox under the textarea. Focus stays in the
// textarea, which names the highlighted option (aria-activedescendant); ArrowDown and
// ArrowUp move, Enter or Tab writes the name, Escape closes; a click writes it too. A
// status line says how many names are offered. Without JavaScript, people type the name.
(function () {
  "use strict";

  // "@" and the start of a name, just before the caret, not inside a word or an address.
  var BEFORE = /(^|[^\w.+\-@/])@([A-Za-z0-9_-]{1,30})$/;
  var count = 0;

  function setup(area) {
    if (area.hasAttribute("data-mention-ready")) return;
    area.setAttribute("data-mention-ready", "");
    count += 1;
    var box = document.createElement("div");
    box.id = "mention-box-" + count;
    box.className = "mention-box";
    box.hidden = true;
    // htmx swaps into the listbox; focus.js leaves focus where the person is typing.
    box.setAttribute("data-keep-focus", "");
    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    area.insertAdjacentElement("afterend", box);
    box.insertAdjacentElement("afterend", status);
    area.setAttribute("aria-autocomplete", "list");
    area.setAttribute("aria-controls", box.id);
    var asked = "";
    var busy = false;
    var active = -1;

    function options() {
      return Array.prototype.slice.call(box.querySelectorAll("[role=option]"));
    }

    function close() {
      box.hidden = true;
      box.replaceChildren();
      active = -1;
      asked = "";
      area.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      var all = options();
      active = index;
      all.forEach(function (option, n) {
        option.setAttribute("aria-selected", n === index ? "true" : "false");
      });
      if (all[index]) area.setAttribute("aria-activedescendant", all[index].id);
      else area.removeAttribute("aria-activedescendant");
    }

    function typed() {
      var match = BEFORE.exec(area.value.slice(0, area.selectionStart));
      return match ? match[2] : "";
    }

    function choose(option) {
      var name = option.getAttribute("data-username");
      var caret = area.selectionStart;
      var start = caret - typed().length;
      var after = area.value.slice(caret);
      var spacer = /^\s/.test(after) ? "" : " ";
      area.value = area.value.slice(0, start) + name + spacer + after;
      var at = start + name.length + spacer.length;
      area.setSelectionRange(at, at);
      close();
      status.textContent = "@" + name + " written.";
      area.focus();
    }

    function lookUp() {
      var prefix = typed();
      if (!prefix) {
        if (!box.hidden) close();
        return;
      }
      // One lookup at a time: what was typed meanwhile is looked up when it answers.
      if (prefix === asked || busy) return;
      asked = prefix;
      busy = true;
      var done = function () {
        busy = false;
        if (typed() !== prefix) {
          asked = "";
          lookUp();
          return;
        }
        var found = options().length;
        box.hidden = found === 0;
        highlight(found ? 0 : -1);
        status.textContent = found
          ? found + (found === 1 ? " person" : " people") + " to mention: arrow keys to choose, Enter to write."
          : "";
      };
      htmx
        // The box, not the textarea, is the source: htmx would send a named field's text.
        .ajax("GET", area.getAttribute("data-mention-lookup"), {
          source: box,
          target: box,
          swap: "innerHTML",
          values: { q: prefix },
        })
        .then(done, done);
    }

    area.addEventListener("input", lookUp);
    area.addEventListener("blur", function () {
      // A click on an option comes after the blur: wait for it.
      window.setTimeout(function () {
        if (document.activeElement !== area) close();
      }, 200);
    });
    area.addEventListener("keydown", function (event) {
      if (box.hidden) return;
      var all = options();
      if (event.key === "ArrowDown") {
        highlight((active + 1) % all.length);
      } else if (event.key === "ArrowUp") {
        highlight((active - 1 + all.length) % all.length);
      } else if ((event.key === "Enter" || event.key === "Tab") && all[active]) {
        choose(all[active]);
      } else if (event.key === "Escape") {
        close();
      } else {
        return;
      }
      event.preventDefault();
    });
    box.addEventListener("mousedown", function (event) {
      var option = event.target.closest("[role=option]");
      if (!option) return;
      event.preventDefault();
      choose(option);
    });
  }

  htmx.onLoad(function (root) {
    var areas = root.querySelectorAll ? root.querySelectorAll("textarea[data-mention-lookup]") : [];
    Array.prototype.forEach.call(areas, setup);
  });
})();
