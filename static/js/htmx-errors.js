// When an htmx request fails (403, 404, 429, 500, 503, or no network), htmx leaves the page as it
// was. Say so in a banner at the top of the page, so that the click is never silently lost.
// A rate limit (429) answers in plain text what was refused and when to try again.
(function () {
  "use strict";

  var MESSAGES = {
    403: "That did not go through: you may have signed out, or your session changed. Reload the page and try again.",
    404: "That is no longer there. Reload the page to see the latest.",
    503: "The board cannot reach its database just now, and nothing was changed. Please try again in a minute.",
  };
  var FALLBACK = "Something went wrong and nothing was changed. Reload the page and try again.";
  var TOO_MANY = "Too many in a short time, and nothing was changed. Wait a minute, then try again.";
  var OFFLINE = "The board could not be reached. Check your connection and try again.";

  function show(text) {
    var main = document.getElementById("main");
    if (!main) return;
    var banner = document.getElementById("request-error");
    if (!banner) {
      banner = document.createElement("p");
      banner.id = "request-error";
      banner.className = "message message-error";
      banner.setAttribute("role", "alert");
      main.insertBefore(banner, main.firstChild);
    }
    banner.textContent = text;
    banner.scrollIntoView({ block: "nearest" });
  }

  function tooMany(xhr) {
    var plain = (xhr.getResponseHeader("Content-Type") || "").indexOf("text/plain") === 0;
    return plain && xhr.responseText ? xhr.responseText : TOO_MANY;
  }

  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    show(xhr.status === 429 ? tooMany(xhr) : MESSAGES[xhr.status] || FALLBACK);
  });
  document.addEventListener("htmx:sendError", function () {
    show(OFFLINE);
  });
  document.addEventListener("htmx:beforeRequest", function () {
    var banner = document.getElementById("request-error");
    if (banner) banner.remove();
  });
})();
