/*
 * Functions the station's AG Grids call by name (dash-ag-grid looks them up here).
 * spartanCsvCell: each cell of a grid's CSV export. A markdown link ("[SPX](/instrument/SPX)")
 * exports as its text; text a spreadsheet would run as a formula (= + - @, tab, carriage
 * return at the start) gets a leading apostrophe. Numbers are exported as they are.
 */
var dagfuncs = (window.dashAgGridFunctions = window.dashAgGridFunctions || {});

dagfuncs.spartanCsvCell = function (params) {
  var value = params.value;
  if (value === null || value === undefined) {
    return "";
  }
  if (typeof value !== "string") {
    return value;
  }
  var link = /^\[([^\]]*)\]\([^)]*\)$/.exec(value);
  if (link) {
    value = link[1];
  }
  if (/^[=+\-@\t\r]/.test(value)) {
    value = "'" + value;
  }
  return value;
};
