// PurgeCSS (npm purgecss@6): Bootstrap's CSS trimmed to the selectors the station can draw.
// `make css` writes assets/00-bootstrap.min.css from assets/vendor/bootstrap.min.css (the
// untouched npm bootstrap@5.3.9 file, not linked into pages). Class names are looked for in
// every file that builds markup; tests/integration/test_css.py checks that every Bootstrap
// class a page draws survived.
const TAGS = [
  "a", "abbr", "b", "blockquote", "body", "button", "caption", "code", "dd", "details", "dl", "dt",
  "fieldset", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "html",
  "img", "input", "kbd", "label", "legend", "li", "main", "mark", "nav", "ol", "optgroup", "output",
  "p", "pre", "progress", "samp", "section", "select", "small", "span", "strong", "sub", "summary",
  "sup", "svg", "table", "tbody", "td", "textarea", "tfoot", "th", "thead", "tr", "ul",
];
module.exports = {
  content: [
    "app.py",
    "api/**/*.py",
    "components/**/*.py",
    "pages/**/*.py",
    "config/**/*.py",
    "config/**/*.yaml",
    "assets/*.js",
  ],
  css: ["assets/vendor/bootstrap.min.css"],
  safelist: {
    standard: [...TAGS, /^\[type=/, /^\[role=/, /^\[hidden/, /^\[data-bs-theme/],
    // classes dash-bootstrap-components' JavaScript adds (dbc.Progress on the preload page)
    greedy: [/^progress/],
  },
  keyframes: true,
  variables: false,
};
