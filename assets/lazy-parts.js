/*
 * Charts and grids drawn as they scroll into view (components/lazy.py): every placeholder
 * (.lazy-part) is watched; once it comes within 200 px of the viewport its "seen" store is set
 * and a clientside callback puts the component in its place. The first screen is drawn at once,
 * the rest as the reader scrolls (and all of them when printing starts).
 */
(function () {
  if (!("IntersectionObserver" in window)) {
    return;
  }
  function reveal(el) {
    var id;
    try {
      id = JSON.parse(el.id);
    } catch (err) {
      return;
    }
    if (window.dash_clientside && window.dash_clientside.set_props) {
      window.dash_clientside.set_props({ type: "lazy-seen", index: id.index }, { data: true });
    }
  }
  var observer = new IntersectionObserver(
    function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) {
          observer.unobserve(entry.target);
          reveal(entry.target);
        }
      });
    },
    { rootMargin: "0px 0px 200px 0px" }
  );
  var queued = false;
  function scan() {
    queued = false;
    var found = document.querySelectorAll(".lazy-part:not([data-watched])");
    for (var i = 0; i < found.length; i++) {
      found[i].setAttribute("data-watched", "1");
      observer.observe(found[i]);
    }
  }
  new MutationObserver(function () {
    if (!queued) {
      queued = true;
      window.setTimeout(scan, 0);
    }
  }).observe(document.documentElement, { childList: true, subtree: true });
  // Printing asks for every chart still undrawn.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll(".lazy-part[data-watched]").forEach(function (el) {
      if (!el.children.length) {
        observer.unobserve(el);
        reveal(el);
      }
    });
  });
})();
