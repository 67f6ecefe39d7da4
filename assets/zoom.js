/*
 * Full resolution on zoom. A history chart whose traces were thinned to what its width can show
 * (components/figures.thin) names, in layout.meta.zoom, where to ask for a window of its data
 * (/zoom/<dashboard>/<panel>.json?<view>). When the reader zooms in, the window's traces are
 * fetched and drawn in place; zooming back out ("autoscale", a double click) draws the traces
 * the page came with again.
 */
(function () {
  // "2024-03-05", "2024-03-05 12:30", "2024-03-05 12:30:15.5": plotly's date strings (UTC).
  function epoch(value) {
    if (typeof value === "number") {
      return Math.round(value);
    }
    var m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?/.exec(String(value));
    if (!m) {
      return null;
    }
    var ms = m[7] ? Math.round(Number("0." + m[7]) * 1000) : 0;
    return Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[4] || 0), +(m[5] || 0), +(m[6] || 0), ms);
  }

  function bind(gd) {
    gd.setAttribute("data-zoom-bound", "1");
    var original = null;
    var asked = 0;
    gd.on("plotly_relayout", function (event) {
      var href = gd.layout && gd.layout.meta && gd.layout.meta.zoom;
      if (!href || !window.Plotly) {
        return;
      }
      var indices = gd.data.map(function (_, i) {
        return i;
      });
      if (event["xaxis.autorange"] === true) {
        if (original) {
          var back = original;
          original = null;
          window.Plotly.restyle(gd, back, indices);
        }
        return;
      }
      var range = event["xaxis.range"] || [event["xaxis.range[0]"], event["xaxis.range[1]"]];
      var x0 = epoch(range[0]);
      var x1 = epoch(range[1]);
      if (x0 === null || x1 === null || x1 <= x0) {
        return;
      }
      if (!original) {
        original = {
          x: gd.data.map(function (t) {
            return t.x;
          }),
          y: gd.data.map(function (t) {
            return t.y;
          }),
        };
      }
      var ticket = ++asked;
      var url = href + (href.indexOf("?") < 0 ? "?" : "&") + "x0=" + x0 + "&x1=" + x1;
      fetch(url, { credentials: "same-origin" })
        .then(function (response) {
          return response.ok ? response.json() : null;
        })
        .then(function (body) {
          if (!body || ticket !== asked || !original || body.traces.length !== gd.data.length) {
            return; // a newer zoom, a zoom back out, or another chart meanwhile
          }
          window.Plotly.restyle(
            gd,
            {
              x: body.traces.map(function (t) {
                return t.x;
              }),
              y: body.traces.map(function (t) {
                return t.y;
              }),
            },
            indices
          );
        })
        .catch(function () {
          // The thinned traces stay: they still show the window's shape.
        });
    });
  }

  var queued = false;
  function scan() {
    queued = false;
    var plots = document.querySelectorAll(".js-plotly-plot:not([data-zoom-bound])");
    for (var i = 0; i < plots.length; i++) {
      var gd = plots[i];
      if (gd.on && gd.layout && gd.layout.meta && gd.layout.meta.zoom) {
        bind(gd);
      }
    }
  }
  new MutationObserver(function () {
    if (!queued) {
      queued = true;
      window.setTimeout(scan, 50);
    }
  }).observe(document.documentElement, { childList: true, subtree: true });
})();
