/*
 * The navbar's search box (form.spartan-search with input#spartan-search). "/" focuses it from
 * anywhere but another field; typing asks /api/search (debounced, the previous request
 * cancelled) and lists the results under it by kind, as the ARIA combobox pattern has it:
 * arrow keys move through them, Enter opens one, Escape closes the list. A result opens
 * client-side as a dcc.Link does; Enter on no result opens the /search page for the query.
 * Without this script the form still submits to /search, which lists every result.
 * Events are delegated from the document, so a form drawn after this script loads works too.
 */
(function () {
  var INPUT_ID = "spartan-search";
  var LIST_ID = "spartan-search-results";
  var STATUS_ID = "spartan-search-status";
  var DEBOUNCE_MS = 150;
  var LIMIT = 12;
  var MAX_QUERY = 64;
  var KINDS = ["dashboard", "instrument", "series", "panel"];
  var HEADINGS = { dashboard: "Dashboards", instrument: "Instruments", series: "Economic series", panel: "Panels" };
  // What /api/search accepts; anything else is a space (the API answers it with a 400).
  var UNSAFE = /[^A-Za-z0-9 .,:;'&\/()+^=_#%-]/g;

  var timer = null;
  var controller = null;
  var sequence = 0;
  var active = -1;
  var found = {};

  function input() {
    return document.getElementById(INPUT_ID);
  }

  function cleaned(text) {
    return text.replace(UNSAFE, " ").replace(/\s+/g, " ").trim().slice(0, MAX_QUERY);
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text) {
      node.textContent = text;
    }
    return node;
  }

  /* The listbox and the live region, made once beside the input; the input becomes a combobox. */
  function setUp(field) {
    var list = document.getElementById(LIST_ID);
    if (list) {
      return list;
    }
    list = element("div", "spartan-search-results");
    list.id = LIST_ID;
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Search results");
    list.hidden = true;
    // A click on a result must not blur the input first (which would close the list).
    list.addEventListener("mousedown", function (event) {
      event.preventDefault();
    });
    list.addEventListener("click", onClick);
    var status = element("div", "visually-hidden");
    status.id = STATUS_ID;
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    var host = field.form || field.parentNode;
    host.appendChild(list);
    host.appendChild(status);
    field.setAttribute("role", "combobox");
    field.setAttribute("aria-autocomplete", "list");
    field.setAttribute("aria-controls", LIST_ID);
    field.setAttribute("aria-expanded", "false");
    field.setAttribute("maxlength", String(MAX_QUERY));
    return list;
  }

  function options() {
    var list = document.getElementById(LIST_ID);
    return list ? list.querySelectorAll("[role=option]") : [];
  }

  function say(text) {
    var status = document.getElementById(STATUS_ID);
    if (status) {
      status.textContent = text;
    }
  }

  function close() {
    var list = document.getElementById(LIST_ID);
    var field = input();
    active = -1;
    if (list) {
      list.hidden = true;
    }
    if (field) {
      field.setAttribute("aria-expanded", "false");
      field.removeAttribute("aria-activedescendant");
    }
  }

  function highlight(index) {
    var all = options();
    var field = input();
    if (!all.length || !field) {
      return;
    }
    active = (index + all.length) % all.length;
    for (var i = 0; i < all.length; i++) {
      all[i].setAttribute("aria-selected", i === active ? "true" : "false");
    }
    field.setAttribute("aria-activedescendant", all[active].id);
    all[active].scrollIntoView({ block: "nearest" });
  }

  function option(href, label, detail, id) {
    var node = element("a", "spartan-search-option");
    node.id = id;
    node.href = href;
    node.tabIndex = -1;
    node.setAttribute("role", "option");
    node.setAttribute("aria-selected", "false");
    node.appendChild(element("span", "spartan-search-label", label));
    if (detail) {
      node.appendChild(element("span", "spartan-search-detail", detail));
    }
    return node;
  }

  /* The results by kind, each kind a group under its heading, and "All results" last. */
  function show(query, items) {
    var field = input();
    if (!field) {
      return;
    }
    var list = setUp(field);
    list.textContent = "";
    active = -1;
    field.removeAttribute("aria-activedescendant");
    var count = 0;
    KINDS.forEach(function (kind) {
      var mine = items.filter(function (item) {
        return item.kind === kind;
      });
      if (!mine.length) {
        return;
      }
      var group = element("div", "spartan-search-group");
      group.setAttribute("role", "group");
      var heading = element("div", "spartan-search-heading", HEADINGS[kind]);
      heading.id = LIST_ID + "-" + kind;
      heading.setAttribute("role", "presentation");
      group.setAttribute("aria-labelledby", heading.id);
      group.appendChild(heading);
      mine.forEach(function (item) {
        group.appendChild(option(item.href, item.label, item.detail, LIST_ID + "-" + count++));
      });
      list.appendChild(group);
    });
    if (!count) {
      list.appendChild(element("div", "spartan-search-empty", "Nothing found"));
    }
    var all = option("/search?q=" + encodeURIComponent(query), "All results for \u201c" + query + "\u201d", "", LIST_ID + "-all");
    all.classList.add("spartan-search-all");
    list.appendChild(all);
    list.hidden = false;
    field.setAttribute("aria-expanded", "true");
    say(count ? count + (count === 1 ? " result" : " results") : "Nothing found");
  }

  function ask(query) {
    if (found[query]) {
      show(query, found[query]);
      return;
    }
    if (controller) {
      controller.abort();
    }
    controller = typeof AbortController === "function" ? new AbortController() : null;
    var mine = ++sequence;
    var url = "/api/search?limit=" + LIMIT + "&q=" + encodeURIComponent(query);
    fetch(url, { headers: { Accept: "application/json" }, signal: controller ? controller.signal : undefined })
      .then(function (response) {
        return response.ok ? response.json() : { items: [] };
      })
      .then(function (body) {
        found[query] = body.items || [];
        var field = input();
        if (mine === sequence && field && cleaned(field.value) === query && document.activeElement === field) {
          show(query, found[query]);
        }
      })
      .catch(function () {
        /* aborted by a newer query, or offline: the list stays as it was */
      });
  }

  function onInput(field) {
    clearTimeout(timer);
    var query = cleaned(field.value);
    if (!query) {
      close();
      return;
    }
    timer = setTimeout(function () {
      ask(query);
    }, DEBOUNCE_MS);
  }

  /* Open ``href`` in the app as a dcc.Link does (a panel's anchor once the page has drawn it). */
  function navigate(href) {
    var field = input();
    close();
    if (field) {
      field.value = "";
      field.blur();
    }
    window.history.pushState({}, "", href);
    window.dispatchEvent(new CustomEvent("_dashprivate_pushstate"));
    window.scrollTo(0, 0);
    var hash = href.indexOf("#");
    if (hash >= 0) {
      scrollWhenDrawn(decodeURIComponent(href.slice(hash + 1)), 50);
    }
  }

  function scrollWhenDrawn(id, tries) {
    var target = document.getElementById(id);
    if (target) {
      target.scrollIntoView({ block: "start" });
    } else if (tries > 0) {
      setTimeout(function () {
        scrollWhenDrawn(id, tries - 1);
      }, 100);
    }
  }

  function onClick(event) {
    var target = event.target instanceof Element ? event.target.closest("[role=option]") : null;
    if (!target || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) {
      return; // another tab or window: the browser's own way
    }
    event.preventDefault();
    navigate(target.getAttribute("href"));
  }

  function editable(node) {
    if (!(node instanceof Element)) {
      return false;
    }
    return node.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(node.tagName);
  }

  document.addEventListener("keydown", function (event) {
    var field = input();
    if (!field) {
      return;
    }
    if (event.target !== field) {
      if (event.key === "/" && !event.ctrlKey && !event.metaKey && !event.altKey && !editable(event.target)) {
        event.preventDefault();
        field.focus();
        field.select();
      }
      return;
    }
    var list = document.getElementById(LIST_ID);
    var open = Boolean(list) && !list.hidden;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      var query = cleaned(field.value);
      if (open && options().length) {
        highlight(active + (event.key === "ArrowDown" ? 1 : -1));
      } else if (query) {
        ask(query);
      }
    } else if (event.key === "Enter") {
      var all = options();
      if (open && active >= 0 && all[active]) {
        event.preventDefault();
        navigate(all[active].getAttribute("href"));
      }
    } else if (event.key === "Escape") {
      if (open) {
        event.preventDefault();
        close();
      } else {
        field.blur();
      }
    }
  });

  document.addEventListener("input", function (event) {
    if (event.target && event.target.id === INPUT_ID) {
      onInput(event.target);
    }
  });

  // Enter with no result chosen (or the /search page's own form): that page for the query,
  // drawn in the app rather than loaded anew.
  document.addEventListener("submit", function (event) {
    var form = event.target instanceof Element ? event.target.closest("form.spartan-search, form.search-page-form") : null;
    var field = form && form.elements.namedItem("q");
    if (!field) {
      return;
    }
    event.preventDefault();
    var query = cleaned(field.value);
    navigate(query ? "/search?q=" + encodeURIComponent(query) : "/search");
  });

  document.addEventListener("focusin", function (event) {
    if (event.target && event.target.id === INPUT_ID) {
      setUp(event.target);
      if (cleaned(event.target.value)) {
        onInput(event.target);
      }
    }
  });

  document.addEventListener("focusout", function (event) {
    if (event.target && event.target.id === INPUT_ID) {
      close();
    }
  });
})();
