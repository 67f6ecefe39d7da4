/*
 * The navbar and footer are plain HTML in the index page, outside the Dash app (components/
 * shell.py): the page draws without rendering them. This script gives them what dcc.Link and a
 * React navbar would:
 * - a link marked data-nav="page" navigates inside the app (history.pushState and the event the
 *   pages router listens to), as dcc.Link does, unless a modifier key asks for a new tab;
 * - the current page's link, and the summary of its menu, carry "active", whatever navigated
 *   (a navbar link, a link in a page, back and forward);
 * - the menus are native disclosures (<details>): a picked page, a click elsewhere or Escape
 *   closes them; opening one closes the others.
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

  function markActive() {
    var path = window.location.pathname;
    var links = document.querySelectorAll(".spartan-navbar a[data-nav]");
    for (var i = 0; i < links.length; i++) {
      var here = links[i].getAttribute("href") === path && links[i].closest(".navbar-nav") !== null;
      links[i].classList.toggle("active", here);
    }
    var groups = document.querySelectorAll(".spartan-nav-group");
    for (var j = 0; j < groups.length; j++) {
      var summary = groups[j].querySelector("summary");
      if (summary) {
        summary.classList.toggle("active", groups[j].querySelector("a.active") !== null);
      }
    }
  }

  function navigate(event, link) {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey ||
        event.shiftKey || event.altKey || link.origin !== window.location.origin) {
      return;
    }
    event.preventDefault();
    if (link.pathname + link.search !== window.location.pathname + window.location.search) {
      window.history.pushState({}, "", link.pathname + link.search + link.hash);
      window.dispatchEvent(new CustomEvent("_dashprivate_pushstate"));
    }
    window.scrollTo(0, 0);
    markActive();
  }

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    var group = target && target.closest(".spartan-nav-group");
    var picked = target && target.closest(".spartan-nav-group a");
    close(picked ? null : group);
    var link = target && target.closest("a[data-nav='page']");
    if (link) {
      navigate(event, link);
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      close(null);
    }
  });
  window.addEventListener("popstate", markActive);
  window.addEventListener("_dashprivate_pushstate", markActive);
})();
