/*
 * Spartan Research Station: iframe embedding helper.
 * When the page is opened with ?embed=1 inside an iframe, post the document height to the
 * parent page on load and whenever it changes, so the host can size the iframe:
 *   window.parent.postMessage({type: "spartan-embed-height", height: <px>}, "*")
 * No dependencies. Does nothing outside an iframe or without embed=1.
 */
(function () {
  "use strict";

  function embedRequested() {
    if (window.location.pathname.indexOf("/embed/") === 0) {
      return true; // a single embedded panel
    }
    try {
      if (typeof URLSearchParams === "function") {
        return new URLSearchParams(window.location.search).get("embed") === "1";
      }
    } catch (e) { /* fall through to the regex */ }
    return /[?&]embed=1(?:&|$)/.test(window.location.search);
  }

  var framed;
  try {
    framed = window.parent !== window;
  } catch (e) {
    framed = true;
  }
  if (!framed || !embedRequested()) {
    return;
  }

  // Lets the theme drop viewport-based minimum heights, which would stop the frame from shrinking.
  document.documentElement.classList.add("spartan-embed");

  var lastHeight = -1;
  var pending = false;

  function documentHeight() {
    var body = document.body;
    var html = document.documentElement;
    return Math.ceil(Math.max(
      body ? body.scrollHeight : 0,
      body ? body.offsetHeight : 0,
      html ? html.offsetHeight : 0,
      body ? body.getBoundingClientRect().height : 0
    ));
  }

  function postHeight() {
    pending = false;
    var height = documentHeight();
    if (height === lastHeight) {
      return;
    }
    lastHeight = height;
    window.parent.postMessage({ type: "spartan-embed-height", height: height }, "*");
  }

  function schedule() {
    if (pending) {
      return;
    }
    pending = true;
    (window.requestAnimationFrame || window.setTimeout)(postHeight);
  }

  function start() {
    schedule();
    if (typeof ResizeObserver === "function") {
      new ResizeObserver(schedule).observe(document.body);
    } else {
      // Old browsers: poll instead.
      window.setInterval(schedule, 500);
    }
  }

  if (document.body) {
    start();
  } else {
    document.addEventListener("DOMContentLoaded", start);
  }
  window.addEventListener("load", schedule);
})();
