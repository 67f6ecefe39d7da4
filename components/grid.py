"""dash-ag-grid tables with sorting, filtering and a CSV export button."""

from __future__ import annotations

import json

import dash
import dash_ag_grid as dag
import pandas as pd
from dash import MATCH, Input, Output, html

from components.lazy import lazy
from config import theme

# AG Grid's Theming API (the grid injects its own CSS: nothing to vendor, no CDN).
SPARTAN_GRID_THEME = {
    "function": (
        "themeQuartz.withParams({"
        f"backgroundColor: '{theme.CARD}', foregroundColor: '{theme.TEXT}', accentColor: '{theme.RED}',"
        f"headerBackgroundColor: '{theme.NAVY}', headerTextColor: '{theme.TEXT_SECONDARY}',"
        "borderColor: 'rgba(255,255,255,0.10)', oddRowBackgroundColor: 'rgba(255,255,255,0.025)',"
        "fontFamily: 'Inter, system-ui, sans-serif', fontSize: 13, wrapperBorderRadius: 6"
        "})"
    )
}


# ``decimals=ROW_DECIMALS``: each row's own decimals, from its ``_decimals`` field (a table of
# instruments of different kinds: BTC 87,000.00 beside DOGE 0.15123, USDJPY 156.23 beside EURUSD).
ROW_DECIMALS = "row"


def _decimals_js(decimals: int | str) -> str:
    return "(params.data ? params.data._decimals : 2)" if decimals == ROW_DECIMALS else str(int(decimals))


def number_format(decimals: int | str, signed: bool = False, unit: str = "") -> dict:
    """The station's number rules in the browser (assets/dashAgGridFunctions.js spartanNumber):
    rounded, separators, no negative zero; ``unit`` " bp" shows a change of a rate in basis points."""
    args = f"params.value, {_decimals_js(decimals)}, {str(signed).lower()}, {json.dumps(unit)}"
    return {"function": f"spartanNumber({args})"}


def change_classes(decimals: int | str, unit: str = "") -> dict:
    """Green/red by the sign of the change as shown (a change that rounds to zero is neither)."""
    call = f"spartanDirection(params.value, {_decimals_js(decimals)}, {json.dumps(unit)})"
    return {"up": f"{call} > 0", "down": f"{call} < 0"}


def number_column(field: str, header: str, change: bool = False, decimals: int | str = 2, unit: str = "") -> dict:
    """A right-aligned number column; ``change``: signed and coloured; ``unit`` " bp": a change
    of a rate (percentage points) shown in basis points; ``decimals=ROW_DECIMALS``: per row."""
    col = {
        "field": field,
        "headerName": header,
        "type": "rightAligned",
        "valueFormatter": number_format(decimals, signed=change, unit=unit),
        "filter": "agNumberColumnFilter",
    }
    if change:
        col["cellClassRules"] = change_classes(decimals, unit)
    return col


def text_column(field: str, header: str, **extra) -> dict:
    return {"field": field, "headerName": header, "filter": "agTextColumnFilter", **extra}


def grid_rows(frame: pd.DataFrame) -> list[dict]:
    """Rows for the browser: dates as ISO strings, missing values as null."""
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime("%Y-%m-%d")
    return out.astype(object).where(out.notna(), None).to_dict("records")


def data_grid(grid_id: str, frame: pd.DataFrame, columns: list[dict], filename: str, height: int = 320) -> html.Div:
    """A themed grid of ``frame``'s rows with an "Export CSV" button above it."""
    return html.Div(
        [
            html.Div(
                html.Button(
                    "Export CSV",
                    id={"type": "grid-export", "index": grid_id},
                    className="btn btn-sm btn-spartan",
                    n_clicks=0,
                ),
                className="d-flex justify-content-end mb-2",
            ),
            lazy(
                f"grid-{grid_id}",
                dag.AgGrid(
                    id={"type": "grid", "index": grid_id},
                    rowData=grid_rows(frame),
                    columnDefs=[sized(c) for c in columns],
                    # Headers wrap onto two lines rather than truncate ("Call vol…"); columns share
                    # the width but never shrink below their header (``sized``).
                    defaultColDef={
                        "sortable": True,
                        "resizable": True,
                        "filter": True,
                        "flex": 1,
                        "wrapHeaderText": True,
                    },
                    # Every column rendered (the station's grids are narrow): a grid mounted after
                    # the page must not wait for a resize to show its columns.
                    dashGridOptions={
                        "animateRows": False,
                        "theme": SPARTAN_GRID_THEME,
                        "suppressColumnVirtualisation": True,
                        # Room for two lines (a fixed height: the grid may be drawn off screen).
                        "headerHeight": 52 if any(" " in str(c.get("headerName", "")) for c in columns) else 40,
                    },
                    # Headers as shown; links as their text; formula-like text neutralised (assets/).
                    csvExportParams={
                        "fileName": f"{filename}.csv",
                        "processCellCallback": {"function": "spartanCsvCell(params)"},
                    },
                    className="spartan-grid",
                    style={"height": f"{height}px", "width": "100%"},
                ),
                "grid",
                height,
            ),
        ]
    )


# AG Grid's width for a column that gives none, and that flex does not size.
AG_GRID_DEFAULT_WIDTH = 200


def sized(column: dict) -> dict:
    """A column at least as wide as its header on two lines (about 8 px a character at 13 px,
    plus the sort and filter icons), unless it says its own minimum.

    A pinned column is outside the flexed area: AG Grid draws it at its default 200 px, which
    made a pinned "Expiry" or "Coin" twice as wide as its dates and symbols while the headers
    beside it wrapped. It gets a width of its own: its minimum (what it holds: set by the
    panel), or for a column of names (a flex weight of its own) at least the default."""
    if "minWidth" not in column:
        header = str(column.get("headerName") or column.get("field") or "")
        longest = max((len(word) for word in header.split()), default=0)
        line = max(longest, -(-len(header) // 2))  # the header on at most two lines
        column = {**column, "minWidth": max(90, min(220, 8 * line + 56))}
    if column.get("pinned") and "width" not in column:
        names = column.get("flex", 0) > 1
        column = {**column, "width": max(column["minWidth"], AG_GRID_DEFAULT_WIDTH if names else 0)}
    return column


def register_callbacks(app: dash.Dash) -> None:
    """Every grid's "Export CSV" button, on ``app``: dash.clientside_callback's process-wide list
    goes to whichever app sets up first, and a second app in the process would lack it."""
    app.clientside_callback(
        "function(n) { return n > 0; }",
        Output({"type": "grid", "index": MATCH}, "exportDataAsCsv"),
        Input({"type": "grid-export", "index": MATCH}, "n_clicks"),
        prevent_initial_call=True,
    )
