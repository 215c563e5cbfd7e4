// Writing markdown: Write and Preview beside each markdown textarea, Quote, Copy link.
// - Preview (a submit button, name="preview", which without JavaScript sends the form back
//   with the preview) carries hx-post to /preview/; when htmx has swapped the rendered text
//   into the preview region, the region replaces the textarea (focus.js then focuses it).
//   Write brings the textarea back and puts the cursor in it. Both are toggle buttons
//   (aria-pressed).
// - Enter in a one-line field of such a form sends the form, not the Preview button (the
//   first submit button in the form, which the browser would otherwise press).
// - Quote puts the comment, as a markdown quote with a link back to it, into the comment
//   box and focuses it; without JavaScript its link opens the form filled by the server.
// - Copy link copies a comment's permalink and says so in the page's live region.
(function () {
  "use strict";

  function parts(id) {
    return {
      text: document.getElementById(id),
      preview: document.getElementById(id + "-preview"),
      write: document.querySelector('[data-write="' + id + '"]'),
      show: document.querySelector('[data-preview="' + id + '"]'),
    };
  }

  function setMode(id, previewing) {
    var p = parts(id);
    if (!p.text || !p.preview || !p.write || !p.show) return p;
    p.text.hidden = previewing;
    p.preview.hidden = !previewing;
    p.write.setAttribute("aria-pressed", String(!previewing));
    p.show.setAttribute("aria-pressed", String(previewing));
    return p;
  }

  function init(root) {
    root.querySelectorAll("[data-write]").forEach(function (write) {
      write.hidden = false;
      var preview = document.getElementById(write.dataset.write + "-preview");
      setMode(write.dataset.write, Boolean(preview && !preview.hidden));
    });
    root.querySelectorAll("[data-copy-link]").forEach(function (button) {
      if (navigator.clipboard) button.hidden = false;
    });
  }

  function announce(text) {
    var region = document.getElementById("announcer");
    if (region) region.textContent = text;
  }

  function writeInto(id, text) {
    var p = setMode(id, false);
    var field = p.text;
    if (!field) return false;
    field.value = field.value.trim() ? field.value.replace(/\s*$/, "\n\n") + text : text;
    field.dispatchEvent(new Event("input", { bubbles: true })); // drafts.js keeps it
    var details = field.closest("details");
    if (details) details.open = true;
    field.focus();
    field.setSelectionRange(field.value.length, field.value.length);
    return true;
  }

  document.addEventListener("DOMContentLoaded", function () {
    init(document);
  });
  document.addEventListener("htmx:load", function (event) {
    init(event.detail.elt);
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.classList && target.classList.contains("writing-preview")) {
      setMode(target.id.replace(/-preview$/, ""), true);
    }
  });

  document.addEventListener("click", function (event) {
    var write = event.target.closest("[data-write]");
    if (write) {
      var p = setMode(write.dataset.write, false);
      if (p.text) p.text.focus();
      return;
    }
    var quote = event.target.closest("[data-quote]");
    if (quote && writeInto(quote.dataset.quoteInto, quote.dataset.quote)) {
      event.preventDefault();
      return;
    }
    var copy = event.target.closest("[data-copy-link]");
    if (copy) {
      var url = new URL(copy.dataset.copyLink, window.location.href).href;
      navigator.clipboard.writeText(url).then(
        function () { announce("Link to the comment copied."); },
        function () { announce("The link could not be copied: copy it from the comment's time."); }
      );
    }
  });

  document.addEventListener("keydown", function (event) {
    var field = event.target;
    if (event.key !== "Enter" || !field.form || field.tagName !== "INPUT") return;
    if (["checkbox", "radio", "button", "submit", "reset", "file"].indexOf(field.type) !== -1) return;
    if (!field.form.querySelector("[data-preview]")) return;
    var send = Array.from(field.form.querySelectorAll("button:not([type=button]), input[type=submit]"))
      .filter(function (button) { return !button.hasAttribute("data-preview"); })
      .pop();
    if (!send) return;
    event.preventDefault();
    field.form.requestSubmit(send);
  });
})();
