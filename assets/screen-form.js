/*
 * The stock screener's filter form (pages/panels/screener.py) is a plain GET form to its page, so
 * it works without script. With script, submitting it navigates inside the app as a link does
 * (history.pushState and the pages router's event: no reload) and leaves the filters left empty
 * out of the URL, so the address is the screen itself ("?r3m_min=10&sma200=above").
 */
(function () {
  document.addEventListener("submit", function (event) {
    var form = event.target instanceof HTMLFormElement ? event.target : null;
    if (!form || !form.classList.contains("screen-form")) {
      return;
    }
    var action = new URL(form.getAttribute("action") || window.location.pathname, window.location.href);
    if (action.origin !== window.location.origin) {
      return;
    }
    event.preventDefault();
    var query = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      if (typeof value === "string" && value.trim() !== "") {
        query.append(name, value.trim());
      }
    });
    var text = query.toString();
    window.history.pushState({}, "", action.pathname + (text ? "?" + text : ""));
    window.dispatchEvent(new CustomEvent("_dashprivate_pushstate"));
  });
})();
