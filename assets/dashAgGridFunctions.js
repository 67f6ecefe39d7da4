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

/*
 * spartanNumber: a number as the station writes it (components/numbers.py): rounded first,
 * then signed, thousands separators, never "-0.00". signed: "+" before positive values;
 * unit: appended (" bp" multiplies by 100 first: a change of a rate in percentage points).
 */
dagfuncs.spartanNumber = function (value, decimals, signed, unit) {
  if (value === null || value === undefined || value === "" || !isFinite(value)) {
    return "";
  }
  unit = unit || "";
  var v = Number(value);
  if (unit === " bp") {
    v = v * 100;
    decimals = 0;
  }
  // Half away from zero as the number is written: "1133.475e2" is exactly 113347.5, while
  // 1133.475 * 100 is a hair below it.
  var a = Math.abs(v);
  var s = String(a);
  var scaled = s.indexOf("e") < 0 ? Math.round(Number(s + "e" + decimals)) : Math.round(a * Math.pow(10, decimals));
  var r = (Math.sign(v) * scaled) / Math.pow(10, decimals);
  if (r === 0) {
    r = 0; // no negative zero
  }
  var text = r.toLocaleString("en-US", { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
  return (signed && r > 0 ? "+" : "") + text + unit;
};

/* The direction a change is shown with, after rounding: 1, -1 or 0 (cell colours). */
dagfuncs.spartanDirection = function (value, decimals, unit) {
  var text = dagfuncs.spartanNumber(value, decimals, false, unit);
  if (text === "" || Number(text.replace(/[^0-9.\-]/g, "")) === 0) {
    return 0;
  }
  return text.charAt(0) === "-" ? -1 : 1;
};

/*
 * spartanHeat: a performance cell's background (performance matrices): green for a rise, red
 * for a fall, stronger as the change nears the column's scale; none for a change that shows
 * as zero at its decimals.
 */
dagfuncs.spartanHeat = function (value, scale, decimals) {
  if (value === null || value === undefined || value === "" || !isFinite(value) || !(scale > 0)) {
    return null;
  }
  var v = Number(value);
  if (Math.abs(v) < 0.5 * Math.pow(10, -decimals)) {
    return null;
  }
  var share = Math.min(1, Math.abs(v) / scale);
  var rgb = v > 0 ? "0, 200, 110" : "255, 82, 82";
  return { backgroundColor: "rgba(" + rgb + ", " + (0.1 + 0.45 * share).toFixed(3) + ")" };
};
