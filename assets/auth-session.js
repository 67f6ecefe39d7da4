/*
 * Spartan Research Station, SPARTAN_AUTH=local only (middleware/auth.py links it; Dash does
 * not, see assets_ignore in app.py): a session that ended while the page was open (logout in
 * another tab, expiry, an admin's revocation) turns the page's next Dash request into a 401.
 * Go to the login page then, which brings the user back to this page, rather than leave a
 * page whose callbacks fail without a word. No dependencies.
 */
(function () {
  "use strict";

  if (typeof window.fetch !== "function") {
    return;
  }
  var original = window.fetch;
  var leaving = false;

  window.fetch = function (input) {
    return original.apply(this, arguments).then(function (response) {
      var url = typeof input === "string" ? input : (input && input.url) || "";
      if (response.status === 401 && !leaving && url.indexOf("/_dash-") !== -1) {
        leaving = true;
        var here = window.location.pathname + window.location.search;
        window.location.assign("/login?next=" + encodeURIComponent(here));
      }
      return response;
    });
  };
})();
