"""The large-cap stock panels: ``stocks`` (a grid of every stock stored — latest close, 1D/1M/
YTD change, GICS sector, market value) and ``sector_treemap`` (the day's returns as a treemap,
stocks grouped by sector and sized by market value, coloured red/green around 0).

Both read the same two things, so a page with both asks once per dataset: the stocks' closes
over the year and a bit behind every change figure (pages/panels/returns.py), and the newest
fiscal years of the ``fundamentals`` table for the share counts. A stock's market value is its
latest close × the weighted average diluted shares of its newest annual report (SEC EDGAR); a
stock without a stored report has none. Sectors are the catalog's (config/sources.yaml
``sector:``, GICS).
"""

from __future__ import annotations

import flask
import pandas as pd
import plotly.graph_objects as go
from dash import html

from components.grid import data_grid, number_column, text_column
from components.numbers import compact, format_pct
from config import theme
from config.catalog_index import sectors
from pages.panels.base import NoData, PanelContext, chart, panel_type
from pages.panels.core import detail_href, names
from pages.panels.returns import HISTORY_DAYS, stock_metrics
from sql import read
from sql.plans import Read

FUNDAMENTALS = "fundamentals"
FUNDAMENTALS_DAYS = 2 * 366  # the newest fiscal year of every company, whenever in the year it ended
# Companies whose filings count shares in another class than the one stored: Berkshire reports
# its shares as Class A equivalents, and one Class A share is 1,500 Class B shares.
SHARE_CLASS_RATIO = {"BRK-B": 1500.0}
UNKNOWN_SECTOR = "Other"
# Diverging red / neutral / green of the treemap's returns (white text reads on all three).
RETURN_SCALE = [[0.0, "#b3261e"], [0.5, "#34445a"], [1.0, "#11804a"]]
RETURN_SPAN = 3.0  # the colours are full at ±3 % (a day's move of a large cap past it is rare)


def stock_reads(ctx: PanelContext) -> list[Read]:
    """The stocks' closes over the year behind their changes, and their newest annual reports."""
    keys = tuple(ctx.spec.keys) if ctx.spec.keys else None
    return [
        Read("observations", ctx.spec.dataset, keys, days=HISTORY_DAYS),
        Read("rows", FUNDAMENTALS, keys, days=FUNDAMENTALS_DAYS),
    ]


def share_counts(frame: pd.DataFrame) -> pd.Series:
    """Diluted shares of each company's newest fiscal year (``fundamentals`` rows), in the
    class whose price is stored (key → shares)."""
    if frame.empty or "diluted_shares" not in frame:
        return pd.Series(dtype=float)
    newest = frame.assign(shares=pd.to_numeric(frame["diluted_shares"], errors="coerce")).dropna(subset=["shares"])
    newest = newest.sort_values(["symbol", "date"]).groupby("symbol").tail(1).set_index("symbol")["shares"]
    ratio = pd.Series(SHARE_CLASS_RATIO).reindex(newest.index).fillna(1.0)
    return (newest * ratio).astype(float)


def _metrics(history: Read) -> pd.DataFrame:
    """``stock_metrics`` of the stocks ``history`` reads, worked out once a request: the grid,
    the treemap and the screener of one page read the same stocks (0.3 s each, cold, for 50)."""
    memo = flask.g.setdefault("spartan_stock_metrics", {}) if flask.has_request_context() else {}
    if history not in memo:
        memo[history] = stock_metrics(read.fetch(history))
    return memo[history]


def stock_table(ctx: PanelContext) -> pd.DataFrame:
    """One row a stock: ``stock_metrics`` with its name, sector and market value (USD)."""
    if read.latest_date(ctx.spec.dataset) is None:
        raise NoData()
    history_read, reports_read = stock_reads(ctx)
    table = _metrics(history_read)
    if table.empty:
        raise NoData("No prices stored for these stocks yet.")
    shares = share_counts(read.fetch(reports_read)) if read.latest_date(FUNDAMENTALS) else pd.Series(dtype=float)
    label, sector = names(ctx), sectors(ctx.settings, ctx.spec.dataset)
    table = table.assign(
        name=table["key"].map(label).fillna(table["key"]),
        sector=table["key"].map(sector).fillna(UNKNOWN_SECTOR),
        market_value=table["last"] * table["key"].map(shares),
    )
    if ctx.spec.keys:  # the panel's order, else the largest first
        order = {k: i for i, k in enumerate(ctx.spec.keys)}
        return table.sort_values("key", key=lambda keys: keys.map(order)).reset_index(drop=True)
    return table.sort_values(["market_value", "key"], ascending=[False, True], na_position="last").reset_index(
        drop=True
    )


def _billions(values: pd.Series) -> pd.Series:
    return (values / 1e9).round(1)


def stocks_data(ctx: PanelContext) -> pd.DataFrame:
    table = stock_table(ctx)
    return pd.DataFrame(
        {
            "Company": table["name"],
            "Symbol": table["key"],
            "Sector": table["sector"],
            "Last": table["last"].round(2),
            "1D %": table["1D"].round(2),
            "1M %": table["1M"].round(2),
            "YTD %": table["YTD"].round(2),
            "Market value ($bn)": _billions(table["market_value"]),
            "Date": table["date"].dt.strftime("%Y-%m-%d"),
        }
    )


STOCK_OPTIONS = {"labels": dict, "height": int}


def stock_grid_start(ctx: PanelContext, frame: pd.DataFrame) -> tuple[pd.DataFrame, list[dict]]:
    """A stock grid's rows with each symbol linked to its page, and its first columns: company
    (pinned), symbol, sector, last close (the stock grid's and the screener's)."""
    linked = frame.assign(Symbol=[f"[{k}]({detail_href(ctx.spec.dataset, k)})" for k in frame["Symbol"]])
    return linked, [
        text_column("Company", "Company", minWidth=150, flex=2, pinned="left"),
        text_column("Symbol", "Symbol", cellRenderer="markdown", minWidth=100),
        text_column("Sector", "Sector", minWidth=160, flex=2),
        {**number_column("Last", "Last", decimals=2), "minWidth": 110},
    ]


@panel_type("stocks", stocks_data, stock_reads, options=STOCK_OPTIONS)
def stocks(ctx: PanelContext):
    frame, columns = stock_grid_start(ctx, stocks_data(ctx))
    columns = [
        *columns,
        *[number_column(c, c, change=True, decimals=2) for c in ("1D %", "1M %", "YTD %")],
        number_column("Market value ($bn)", "Market value ($bn)", decimals=1),
        text_column("Date", "Date", minWidth=110),
    ]
    height = int(ctx.spec.option("height", min(620, 60 + 42 * len(frame))))
    return data_grid(ctx.dom_id, frame, columns, filename=f"spartan-{ctx.dom_id}", height=max(height, 160))


# --- the treemap ------------------------------------------------------------------------------


def weighted_return(returns: pd.Series, weights: pd.Series) -> float:
    """The market-value-weighted mean of ``returns`` (NaN when no weight is known)."""
    known = returns.notna() & weights.notna() & (weights > 0)
    if not known.any():
        return float("nan")
    return float((returns[known] * weights[known]).sum() / weights[known].sum())


def treemap_rows(ctx: PanelContext) -> pd.DataFrame:
    """The stocks the treemap draws: those with a day's return and a market value."""
    table = stock_table(ctx)
    drawn = table.dropna(subset=["1D", "market_value"])
    drawn = drawn[drawn["market_value"] > 0]
    if drawn.empty:
        raise NoData("No market values yet: they need the companies' annual reports (SEC EDGAR).")
    return drawn.sort_values(["sector", "market_value"], ascending=[True, False]).reset_index(drop=True)


def treemap_data(ctx: PanelContext) -> pd.DataFrame:
    rows = treemap_rows(ctx)
    return pd.DataFrame(
        {
            "Sector": rows["sector"],
            "Company": rows["name"],
            "Symbol": rows["key"],
            "1D %": rows["1D"].round(2),
            "Market value ($bn)": _billions(rows["market_value"]),
            "Date": rows["date"].dt.strftime("%Y-%m-%d"),
        }
    )


def treemap_figure(rows: pd.DataFrame, root: str, height: int) -> go.Figure:
    """Root → sectors → stocks, each box sized by market value and coloured by its day's
    return (a sector, and the root, by their stocks' value-weighted return)."""
    ids, parents, labels, values, colours, hover = [root], [""], [root], [], [], []
    sector_rows = list(rows.groupby("sector", sort=False))
    total = float(rows["market_value"].sum())
    values.append(total)
    colours.append(weighted_return(rows["1D"], rows["market_value"]))
    hover.append(f"{root}<br>{format_pct(colours[0])} (value-weighted)<br>${compact(total)}")
    for sector, members in sector_rows:
        change = weighted_return(members["1D"], members["market_value"])
        worth = float(members["market_value"].sum())
        ids.append(f"sector:{sector}")
        parents.append(root)
        labels.append(sector)
        values.append(worth)
        colours.append(change)
        hover.append(f"{sector}<br>{format_pct(change)} (value-weighted)<br>${compact(worth)}")
    for row in rows.rename(columns={"1D": "day"}).itertuples():
        ids.append(f"stock:{row.key}")
        parents.append(f"sector:{row.sector}")
        labels.append(f"{row.key}<br>{format_pct(row.day)}")
        values.append(float(row.market_value))
        colours.append(float(row.day))
        hover.append(f"{row.name} ({row.key})<br>{format_pct(row.day)}<br>${compact(row.market_value)}")
    trace = go.Treemap(
        ids=ids,
        parents=parents,
        labels=labels,
        values=values,
        branchvalues="total",
        customdata=hover,
        hovertemplate="%{customdata}<extra></extra>",
        textfont={"family": theme.FONT_MONO, "color": theme.TEXT},
        marker={
            "colors": [round(c, 2) if c == c else 0.0 for c in colours],
            "colorscale": RETURN_SCALE,
            "cmin": -RETURN_SPAN,
            "cmax": RETURN_SPAN,
            "cmid": 0,
            "line": {"width": 1, "color": theme.NAVY_DARK},
            "colorbar": {"title": {"text": "1D %"}, "ticksuffix": "%", "thickness": 12},
            "showscale": True,
        },
        pathbar={"visible": True},
        tiling={"pad": 2},
    )
    fig = go.Figure(trace, layout={"template": "spartan", "height": height})
    fig.update_layout(margin={"l": 8, "r": 8, "t": 28, "b": 8})
    return fig


@panel_type("sector_treemap", treemap_data, stock_reads, options={"height": int, "labels": dict, "root": str})
def sector_treemap(ctx: PanelContext):
    rows = treemap_rows(ctx)
    figure = treemap_figure(rows, str(ctx.spec.option("root", "Large caps")), int(ctx.spec.option("height", 560)))
    stored = len(stock_table(ctx))
    notes = [f"{len(rows)} stocks, sized by market value (close × diluted shares of the latest 10-K), as of "]
    notes.append(f"{rows['date'].max():%Y-%m-%d}.")
    if stored > len(rows):
        notes.append(f" {stored - len(rows)} without a market value or a day's change are left out.")
    return html.Div([chart(ctx, figure), html.P("".join(notes), className="small text-secondary mt-2 mb-0")])
