// allauth's security key script (mfa/js/webauthn.js) only writes to the console when the
// browser's prompt is closed, times out or fails. Say so on the page instead, where the
// person is looking, and move focus to the message so that screen readers read it.
(function () {
  "use strict";

  document.addEventListener("allauth.error", function (event) {
    var message = document.getElementById("webauthn-error");
    if (!message) return;
    event.preventDefault();
    message.hidden = false;
    message.focus();
  });
})();
