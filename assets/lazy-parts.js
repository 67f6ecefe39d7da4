/*
 * Charts, grids and the bodies of panels further down drawn as they scroll into view
 * (components/lazy.py): every placeholder (.lazy-part) still empty is checked whenever the
 * page changes, scrolls or resizes (and every
 * 300 ms besides, for browsers that paint without scrolling, such as a headless screenshot);
 * once it comes into view (or, after the first scroll, within 300 px of it) the component kept
 * in its "spec" store is put in its place with set_props (no callback, no server round trip).
 * The first screen is drawn at once, the rest as the reader scrolls, and everything when
 * printing starts.
 */
(function () {
  // px beyond the viewport that count as "in view": none until the reader scrolls (the first
  // screen is drawn first, alone), then 300 (what comes next is drawn before it is reached).
  var margin = 0;
  var GRACE = 1000; // ms a revealed placeholder has to be filled before it is asked for again
  // The placeholders asked for, with their id then and when: React may reuse a placeholder's
  // element for another part (or the same part of a new page), so an empty one is asked for
  // again once its id changed or its grace ran out.
  var asked = new WeakMap();
  var queued = false;
  // Once printing starts, every part, and the parts inside a panel's body put in place then.
  var printing = false;

  function reveal(el) {
    var id;
    try {
      id = JSON.parse(el.id);
    } catch (err) {
      return;
    }
    var before = asked.get(el);
    if (before && before.id === el.id && Date.now() - before.at < GRACE) {
      return;
    }
    if (!(window.dash_clientside && window.dash_clientside.set_props)) {
      return; // Dash not ready yet: the next check asks
    }
    var spec;
    try {
      spec = JSON.parse(el.getAttribute("data-spec"));
    } catch (err) {
      return; // the page is still being put in place: the next check asks
    }
    if (!spec) {
      return;
    }
    asked.set(el, { id: el.id, at: Date.now() });
    window.dash_clientside.set_props(
      { type: "lazy-part", index: id.index },
      { children: { type: spec.type, namespace: spec.namespace, props: spec.props } }
    );
  }

  function check(all) {
    queued = false;
    var found = document.querySelectorAll(".lazy-part:empty");
    if (!found.length) {
      return;
    }
    var bottom = window.innerHeight + margin;
    for (var i = 0; i < found.length; i++) {
      var box = found[i].getBoundingClientRect();
      var shown = box.width > 0 || box.height > 0;
      if (all === true || printing || (shown && box.top < bottom && box.bottom > -margin)) {
        reveal(found[i]);
      }
    }
  }

  function soon() {
    if (!queued) {
      queued = true;
      window.setTimeout(check, 0);
    }
  }

  new MutationObserver(soon).observe(document.documentElement, { childList: true, subtree: true });
  window.addEventListener(
    "scroll",
    function () {
      margin = 300;
      soon();
    },
    { passive: true }
  );
  window.addEventListener("resize", soon);
  window.setInterval(check, 300);
  window.addEventListener("beforeprint", function () {
    printing = true;
    check(true);
  });
})();
