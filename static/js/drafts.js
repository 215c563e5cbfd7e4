// Nothing written is lost. What is typed in a form's textarea is kept in this browser
// (localStorage), under the page's path, the form's action and the field's id, and comes
// back when the page (or an htmx swap) shows that field again: after a reload, after
// signing in again when the session ran out, after going away and back.
// A draft goes when its form is sent and saved, or cancelled:
// - an htmx form: the server answers a saved change with the event "board:saved"
//   (HX-Trigger), fired on the form before htmx swaps it;
// - a plain form: its drafts are noted on submit (not for Preview, which saves nothing),
//   and cleared on the next page if that page says it saved something ([data-saved] on a
//   success message), kept otherwise (bad input, a refusal, a failure);
// - Cancel ([data-draft-cancel]) inside the form.
// Leaving a page while a textarea holds unsent text asks first (not when submitting).
(function () {
  "use strict";

  var PREFIX = "draft:";
  var SENT = "drafts:sent";
  var submitting = false;

  function store(kind) {
    try {
      var s = window[kind];
      return s || null;
    } catch (error) {
      return null; // storage refused (privacy settings): drafts are simply not kept
    }
  }
  var local = store("localStorage");
  var session = store("sessionStorage");

  function drafted(field) {
    return field.form && field.name && field.id && (field.form.method || "").toLowerCase() === "post";
  }

  function key(field) {
    var action = field.form.getAttribute("action") || window.location.pathname;
    return PREFIX + window.location.pathname + "|" + action + "|" + field.id;
  }

  function unsent(field) {
    return field.value.trim() !== field.defaultValue.trim();
  }

  function save(field) {
    if (!local || !drafted(field)) return;
    try {
      if (unsent(field)) local.setItem(key(field), field.value);
      else local.removeItem(key(field));
    } catch (error) {
      // storage full: the text stays in the field, the warning on leaving still asks
    }
  }

  function forget(form) {
    if (!local || !form) return;
    form.querySelectorAll("textarea").forEach(function (field) {
      if (drafted(field)) local.removeItem(key(field));
    });
  }

  function restore(root) {
    if (!local) return;
    var fields = root.tagName === "TEXTAREA" ? [root] : root.querySelectorAll("textarea");
    fields.forEach(function (field) {
      if (!drafted(field) || unsent(field)) return; // the server kept what was sent: that wins
      var draft = local.getItem(key(field));
      if (draft !== null && draft !== field.value) {
        field.value = draft;
        field.dataset.draftRestored = "";
      }
    });
  }

  function afterPlainSubmit() {
    if (!session || !local) return;
    var sent = JSON.parse(session.getItem(SENT) || "[]");
    session.removeItem(SENT);
    if (sent.length && document.querySelector("[data-saved]")) {
      sent.forEach(function (name) { local.removeItem(name); });
    }
  }

  // A deferred script runs once the page is parsed, before htmx's first htmx:load: the
  // drafts of a form just saved go before anything could bring them back.
  afterPlainSubmit();
  document.addEventListener("DOMContentLoaded", function () {
    var announcer = document.getElementById("announcer");
    restore(document); // htmx:load may have restored them already: the mark says so
    if (document.querySelector("[data-draft-restored]") && announcer) {
      announcer.textContent = "Your unsent text is back in the form.";
    }
  });
  document.addEventListener("htmx:load", function (event) {
    restore(event.detail.elt);
  });
  document.addEventListener("input", function (event) {
    if (event.target.tagName === "TEXTAREA") save(event.target);
  });
  document.addEventListener("board:saved", function (event) {
    var form = event.target.closest ? event.target.closest("form") : null;
    forget(form || event.target);
  });
  document.addEventListener("click", function (event) {
    var cancel = event.target.closest("[data-draft-cancel]");
    if (cancel) {
      forget(cancel.closest("form"));
      submitting = true; // a plain Cancel leaves the page, on purpose
      window.setTimeout(function () { submitting = false; }, 0);
    }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    if (submitter && submitter.name === "preview") {
      submitting = true; // Preview without htmx sends the form back with the text kept
      return;
    }
    if (form.hasAttribute("hx-post") && window.htmx) return; // htmx sends it; no unload
    submitting = true;
    if (!session) return;
    var names = [];
    form.querySelectorAll("textarea").forEach(function (field) {
      if (drafted(field)) names.push(key(field));
    });
    session.setItem(SENT, JSON.stringify(names));
  });
  window.addEventListener("beforeunload", function (event) {
    if (submitting) return;
    var fields = Array.from(document.querySelectorAll("textarea")).filter(drafted);
    if (fields.some(unsent)) {
      event.preventDefault();
      event.returnValue = ""; // older browsers ask only when this is set
    }
  });
})();
