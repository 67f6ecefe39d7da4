/*
 * The navbar's menus are native disclosures (<details>, components/shell.py). A picked page, a
 * click elsewhere or Escape closes them; opening one closes the others.
 */
(function () {
  function close(except) {
    var open = document.querySelectorAll(".spartan-nav-group[open]");
    for (var i = 0; i < open.length; i++) {
      if (open[i] !== except) {
        open[i].removeAttribute("open");
      }
    }
  }

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    var group = target && target.closest(".spartan-nav-group");
    var picked = target && target.closest(".spartan-nav-group a");
    close(picked ? null : group);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      close(null);
    }
  });
})();
