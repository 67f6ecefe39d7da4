"""Market panel types: the FX cross-rate matrix and one instrument's detail view.

- ``fx_matrix``: how many units of each column currency one unit of each row currency buys,
  derived from the stored pair quotes (crosses through USD, then EUR), as a grid, with a
  heatmap of the day's % changes. Options: ``currencies`` (list), ``height``.
- ``instrument_detail``: one instrument's chart (candlesticks when the rows have open/high/low,
  else a line; volume bars when there is volume), its stats (last, 1D/1W/1M/YTD/1Y change,
  52-week high/low, 1-year annualised volatility) and its recent rows. The instrument is the
  URL's first ``?compare=`` key that the dataset holds, else the panel's ``default``. Options:
  ``default``, ``picker`` (a dropdown of the dataset's instruments that rewrites ``?compare=``),
  ``transform: yoy`` (monthly/quarterly series), ``heading`` (false: no name line), ``decimals``,
  ``rows``, ``height``.

The detail pages (/instrument/<symbol>, /series/<id>) render the same panel through
``detail_page``; the picker's callback is registered per app by ``register_callbacks``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from types import MappingProxyType
from urllib.parse import parse_qsl, unquote, urlencode
from urllib.parse import quote as url_quote

import dash
import numpy as np
import pandas as pd
import plotly.graph_objects as go
from dash import MATCH, Input, Output, State, dcc, html
from plotly.subplots import make_subplots

from components.cards import degraded_state, empty_state, fitted_value
from components.figures import drawn_values, epoch_ms, log_axis, plot_points, shape_for, thin
from components.grid import data_grid, number_column, text_column
from components.numbers import NumberStyle, currency_decimals, format_bp, format_number, format_pct, rounded
from components.view_state import RANGES, ViewState, parse_view
from config import theme
from config.catalog_index import catalog
from config.dashboard_specs import Dashboard, PanelSpec
from pages.panels import NoData, PanelContext, chart, panel_type
from pages.panels.core import SERIES_DATASETS, _yoy, detail_href, number_style
from sql import read
from sql.datasets import DATASETS
from sql.plans import Read
from sql.transforms import latest_with_change

APP_NAME = "Spartan Research Station"

# --- FX cross rates ---------------------------------------------------------------------------

MAJORS = ("USD", "EUR", "JPY", "GBP", "CHF", "CAD", "AUD", "NZD", "CNY")
_PAIR = re.compile(r"^[A-Z]{3}[A-Z]{3}$")


def usd_values(quotes: Mapping[str, float]) -> dict[str, float]:
    """USD per one unit of every currency the pair quotes reach (``EURUSD`` = 1.10 means one
    euro is 1.10 dollars). Quotes against USD win, then crosses through EUR, then any chain."""
    pairs = []
    for key, value in quotes.items():
        try:
            rate = float(value)
        except (TypeError, ValueError):
            continue
        if _PAIR.match(str(key)) and math.isfinite(rate) and rate > 0:
            pairs.append((key[:3], key[3:], rate))
    pairs.sort(key=lambda p: 0 if "USD" in p[:2] else 1 if "EUR" in p[:2] else 2)
    known = {"USD": 1.0}
    changed = True
    while changed:
        changed = False
        for base, quote, rate in pairs:
            if base in known and quote not in known:
                known[quote] = known[base] / rate
                changed = True
            elif quote in known and base not in known:
                known[base] = rate * known[quote]
                changed = True
    return known


def cross_matrix(usd: Mapping[str, float], currencies: list[str]) -> pd.DataFrame:
    """Row currency → column currency: units of the column currency one unit of the row buys."""
    values = np.array([usd[c] for c in currencies], dtype=float)
    return pd.DataFrame(values[:, None] / values[None, :], index=currencies, columns=currencies)


def fx_reads(ctx: PanelContext) -> list[Read]:
    """The two newest quotes of every pair."""
    return [Read("last_two", ctx.spec.dataset or "forex_rates")]


def fx_frames(ctx: PanelContext) -> tuple[pd.DataFrame, pd.DataFrame, date | None]:
    """The cross-rate matrix, the % change of each cross since the previous observation, and
    the newest quote date."""
    latest = latest_with_change(read.fetch(fx_reads(ctx)[0]))
    if latest.empty:
        raise NoData("No exchange rates stored yet.")
    now = dict(zip(latest["key"], latest["value"], strict=True))
    before = dict(zip(latest["key"], latest["previous"].fillna(latest["value"]), strict=True))
    usd_now, usd_before = usd_values(now), usd_values(before)
    wanted = [str(c).upper() for c in (ctx.spec.option("currencies") or MAJORS)]
    currencies = [c for c in dict.fromkeys(wanted) if c in usd_now and c in usd_before]
    if len(currencies) < 2:
        raise NoData("Not enough exchange rates stored to derive cross rates yet.")
    matrix = cross_matrix(usd_now, currencies)
    change = 100 * (matrix / cross_matrix(usd_before, currencies) - 1)
    newest = pd.Timestamp(latest["date"].max()).date() if latest["date"].notna().any() else None
    return matrix, change, newest


def fx_matrix_data(ctx: PanelContext) -> pd.DataFrame:
    matrix, _change, _newest = fx_frames(ctx)
    return matrix.round(6).reset_index(names="Currency")


def fx_heatmap(change: pd.DataFrame, height: int) -> go.Figure:
    z = change.to_numpy(copy=True)
    np.fill_diagonal(z, np.nan)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=list(change.columns),
            y=list(change.index),
            zmid=0,
            colorscale=[[0, theme.DANGER], [0.5, theme.CARD], [1, theme.SUCCESS]],
            texttemplate="%{z:+.2f}",
            hovertemplate="1 %{y} in %{x}: %{z:+.2f}%<extra></extra>",
            colorbar={"ticksuffix": "%", "thickness": 12},
        ),
        layout={"template": "spartan", "height": height},
    )
    fig.update_yaxes(autorange="reversed", showgrid=False)
    fig.update_xaxes(showgrid=False)
    fig.update_layout(margin={"l": 48, "r": 16, "t": 36, "b": 32}, hovermode="closest")
    return fig


@panel_type("fx_matrix", fx_matrix_data, fx_reads)
def fx_matrix(ctx: PanelContext):
    matrix, change, newest = fx_frames(ctx)
    frame = matrix.reset_index(names="Currency")
    columns = [text_column("Currency", "1 unit of", minWidth=100, maxWidth=120)] + [
        {**number_column(c, c, decimals=currency_decimals(c)), "minWidth": 90} for c in matrix.columns
    ]
    height = int(ctx.spec.option("height", 72 + 42 * len(frame)))
    grid = data_grid(ctx.dom_id, frame, columns, filename=f"spartan-{ctx.dom_id}", height=height)
    note = html.P(
        f"Units of the column currency that one unit of the row currency buys; quotes as of {newest:%Y-%m-%d},"
        " crosses derived through USD and EUR.",
        className="spartan-subtitle mb-2",
    )
    heat = chart(ctx, fx_heatmap(change, max(320, 60 + 40 * len(frame))))
    heading = html.H3("Change since the previous quote (%)", className="h6 mt-3 mb-0 text-secondary")
    return html.Div([*([note] if newest else []), grid, heading, heat])


# --- one instrument ---------------------------------------------------------------------------

FREQUENCIES = {
    "daily": ("1D", "1W", "1M", "YTD", "1Y"),
    "weekly": ("1W", "1M", "YTD", "1Y"),
    "monthly": ("1M", "3M", "YTD", "1Y"),
    "quarterly": ("3M", "YTD", "1Y"),
    "annual": ("1Y", "5Y"),
}
OFFSETS = {
    "1W": pd.DateOffset(weeks=1),
    "1M": pd.DateOffset(months=1),
    "3M": pd.DateOffset(months=3),
    "1Y": pd.DateOffset(years=1),
    "5Y": pd.DateOffset(years=5),
}
YOY_FREQUENCIES = ("monthly", "quarterly")
BAR_COLUMNS = ("open", "high", "low", "close", "volume")
STATS_DAYS_BARS = 400
STATS_DAYS_SERIES = 6 * 366
# Detail dashboards per dataset (config/dashboards/*-detail.yaml): the picker's home, and where
# a detail page's CSV comes from.
DETAIL_BOARDS = {
    "market_indices": ("index-detail", "/indices/detail"),
    "commodities": ("commodity-detail", "/commodities/detail"),
    "forex_rates": ("fx-detail", "/forex/detail"),
    "crypto_prices": ("crypto-detail", "/crypto/detail"),
}


def frequency(dates: pd.Series | pd.Index) -> str:
    """``daily``, ``weekly``, ``monthly``, ``quarterly`` or ``annual`` from the median spacing."""
    values = pd.Series(pd.to_datetime(pd.Index(dates))).sort_values()
    if len(values) < 2:
        return "daily"
    days = values.diff().dt.days.dropna().median()
    for name, limit in (("daily", 4), ("weekly", 10), ("monthly", 45), ("quarterly", 120)):
        if days <= limit:
            return name
    return "annual"


def _value_at(series: pd.Series, when: pd.Timestamp) -> float:
    before = series[series.index <= when]
    return float(before.iloc[-1]) if len(before) else math.nan


def _pct(last: float, base: float) -> float | None:
    if base is None or not math.isfinite(base) or base == 0 or not math.isfinite(last):
        return None
    return 100 * (last / base - 1)


def instrument_stats(frame: pd.DataFrame) -> dict:
    """Last value, % changes over the periods that suit its frequency, 52-week high and low (of
    the bars' highs/lows when there are any) and 1-year annualised volatility (stdev of period
    returns × √(observations in the year))."""
    series = frame.dropna(subset=["close"]).set_index("date")["close"].astype(float).sort_index()
    if series.empty:
        return {}
    last_date, last = series.index[-1], float(series.iloc[-1])
    freq = frequency(series.index)
    changes, deltas = {}, {}
    for period in FREQUENCIES[freq]:
        if period == "1D":
            base = float(series.iloc[-2]) if len(series) > 1 else math.nan
        elif period == "YTD":
            base = _value_at(series, pd.Timestamp(last_date.year - 1, 12, 31, 23, 59, 59))
        else:
            base = _value_at(series, last_date - OFFSETS[period])
        changes[period] = _pct(last, base)
        deltas[period] = last - base if math.isfinite(base) else None
    year = series[series.index > last_date - pd.DateOffset(years=1)]
    returns = year.pct_change().replace([np.inf, -np.inf], np.nan).dropna()
    vol = float(returns.std(ddof=1) * math.sqrt(len(year)) * 100) if len(returns) >= 2 else None
    # The 52-week range from the bars' highs and lows where there are any, else from closes.
    window = frame[frame["date"] > last_date - pd.DateOffset(years=1)]
    highs = window["high"].dropna() if "high" in window else pd.Series(dtype=float)
    lows = window["low"].dropna() if "low" in window else pd.Series(dtype=float)
    return {
        "last": last,
        "date": last_date,
        "frequency": freq,
        "changes": changes,
        "deltas": deltas,
        "high_52w": float(max(highs.max(), year.max()) if len(highs) else year.max()),
        "low_52w": float(min(lows.min(), year.min()) if len(lows) else year.min()),
        "vol_1y": vol,
    }


def dataset_keys(settings, dataset: str) -> dict[str, str]:
    """The catalog's instruments of a dataset: key → label."""
    return {i.key: i.label for i in catalog(settings).for_dataset(dataset)}


def chosen_symbol(ctx: PanelContext) -> str:
    """The URL's first compared key that the dataset holds, else the panel's default."""
    keys = dataset_keys(ctx.settings, ctx.spec.dataset)
    for key in ctx.view.compare:
        if key in keys:
            return key
    default = str(ctx.spec.option("default") or "")
    if default in keys:
        return default
    if keys:
        return next(iter(keys))
    raise NoData("No instruments of this dataset are in the catalog.")


def _yoy_wanted(ctx: PanelContext) -> bool:
    return ctx.spec.option("transform") == "yoy"


def instrument_read(ctx: PanelContext, key: str) -> Read:
    """The instrument over the URL's range and the year before it (its change figures), and at
    least the window of its stats (a year of bars, six of a slower series)."""
    bars = read.is_bar_dataset(ctx.spec.dataset)
    days = STATS_DAYS_BARS if bars else STATS_DAYS_SERIES
    return Read(
        "bars" if bars else "observations", ctx.spec.dataset, (key,), range=ctx.view.range, lookback=400, days=days
    )


def instrument_reads(ctx: PanelContext) -> list[Read]:
    return [instrument_read(ctx, chosen_symbol(ctx))]


def instrument_rows(ctx: PanelContext, key: str) -> tuple[pd.DataFrame, pd.DataFrame, bool]:
    """The instrument's rows over the stats window and the URL's range (``date`` + OHLCV +
    ``source``), those of the range alone (``yoy`` added in YoY mode), and whether YoY applies."""
    dataset = ctx.spec.dataset
    newest = read.latest_date(dataset)
    if newest is None:
        raise NoData()
    start = ctx.view.start(newest)
    bars = read.is_bar_dataset(dataset)
    if bars:
        frame = read.fetch(instrument_read(ctx, key))
    else:
        obs = read.fetch(instrument_read(ctx, key))
        frame = pd.DataFrame(
            {
                "date": pd.to_datetime(obs["date"]),
                **{c: np.nan for c in BAR_COLUMNS if c != "close"},
                "close": pd.to_numeric(obs["value"], errors="coerce"),
                "source": obs["source"],
            }
        )
        if not frame.empty and getattr(frame["date"].dt, "tz", None) is not None:
            frame["date"] = frame["date"].dt.tz_convert(None)
        frame = frame.groupby("date", as_index=False).last() if frame["date"].duplicated().any() else frame
    if frame.empty:
        raise NoData("Nothing stored for this instrument yet.")
    yoy = _yoy_wanted(ctx) and frequency(frame["date"]) in YOY_FREQUENCIES
    if yoy:
        growth = _yoy(frame[["date", "close"]].rename(columns={"close": "value"}).assign(key=key))
        frame = frame.merge(growth[["date", "value"]].rename(columns={"value": "yoy"}), on="date", how="left")
    shown = frame if start is None else frame[frame["date"] >= pd.Timestamp(start)]
    if shown.empty:
        raise NoData("Nothing stored for this instrument in this range.")
    return frame, shown.reset_index(drop=True), yoy


def _style(ctx: PanelContext, value: float) -> NumberStyle:
    """The instrument's number style (components/numbers.py), the panel's options on top."""
    return number_style(ctx, chosen_symbol(ctx), value)


def _card(label: str, value: str, change: float | None = None, note: str | None = None) -> html.Div:
    """A KPI card; a ``change`` (as shown, rounded) colours its value green (up) or red (down)."""
    color = theme.SUCCESS if change and change > 0 else theme.DANGER if change and change < 0 else None
    parts = [
        html.Div(label, className="kpi-label", title=label),
        fitted_value(value, style={"color": color} if color else {}),
    ]
    if note:
        parts.append(html.Div(note, className="kpi-asof"))
    return html.Div(parts, className="kpi spartan-card")


def stats_cards(ctx: PanelContext, stats: dict, yoy_frame: pd.DataFrame | None = None) -> html.Div:
    """Last, changes over the periods of its frequency (basis points for rates, else %), the
    52-week range and the 1-year volatility, each number as the station writes it."""
    style = _style(ctx, stats["last"])
    cards = [_card("Last", style.level(stats["last"]), note=f"as of {stats['date']:%Y-%m-%d}")]
    if yoy_frame is not None:
        growth = yoy_frame.dropna(subset=["yoy"])
        if not growth.empty:
            cards.append(_card("YoY", format_pct(growth["yoy"].iloc[-1]), note=f"{growth['date'].iloc[-1]:%Y-%m}"))
        if len(growth) > 1:
            cards.append(
                _card("YoY, prior", format_pct(growth["yoy"].iloc[-2]), note=f"{growth['date'].iloc[-2]:%Y-%m}")
            )
    for period, change in stats["changes"].items():
        if style.change == "bp":
            delta = stats.get("deltas", {}).get(period)
            cards.append(_card(period, format_bp(delta), None if delta is None else 100 * rounded(delta, 4)))
        else:
            shown = None if change is None else rounded(change, 2)
            cards.append(_card(period, format_pct(change), shown))
    vol = stats["vol_1y"]
    cards += [
        _card("52W high", style.level(stats["high_52w"])),
        _card("52W low", style.level(stats["low_52w"])),
        _card("1Y volatility", "—" if vol is None else format_number(vol, 1, unit="%"), note="annualised"),
    ]
    return html.Div(cards, className="kpi-row kpi-row-compact mb-3")


def detail_figure(
    frame: pd.DataFrame, label: str, view: ViewState, yoy: bool = False, height: int = 440, decimals: int = 2
) -> go.Figure:
    """Candlesticks when open/high/low are there (else a line of the close, or of YoY %), and
    volume bars underneath when there is volume."""
    ohlc = not yoy and bool(frame[["open", "high", "low"]].notna().all(axis=1).mean() >= 0.9)
    volume = not yoy and bool(frame["volume"].fillna(0).gt(0).any())
    if volume:
        fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.78, 0.22], vertical_spacing=0.03)
        fig.update_layout(template="spartan", height=height)
    else:
        fig = go.Figure(layout={"template": "spartan", "height": height})
    where = {"row": 1, "col": 1} if volume else {}
    if ohlc:
        main = go.Candlestick(
            x=epoch_ms(frame["date"]),
            open=drawn_values(frame["open"], decimals),
            high=drawn_values(frame["high"], decimals),
            low=drawn_values(frame["low"], decimals),
            close=drawn_values(frame["close"], decimals),
            name=label,
            increasing={"line": {"color": theme.SUCCESS}, "fillcolor": theme.SUCCESS},
            decreasing={"line": {"color": theme.DANGER}, "fillcolor": theme.DANGER},
        )
    else:
        x, y = thin(frame["date"], frame["yoy"] if yoy else frame["close"], plot_points())
        shape = shape_for(frame["date"])
        main = go.Scatter(
            x=epoch_ms(x),
            y=drawn_values(y, 2 if yoy else decimals),
            name=f"{label}, YoY %" if yoy else label,
            line={"color": theme.RED_LIGHT, "width": 2, **shape.pop("line", {})},
            hovertemplate=f"%{{y:,.{2 if yoy else decimals}f}}" + ("%" if yoy else "") + "<extra></extra>",
            **shape,
        )
    fig.add_trace(main, **where)
    if volume:
        fig.add_trace(
            go.Bar(
                x=epoch_ms(frame["date"]),
                y=drawn_values(frame["volume"], 0),
                name="Volume",
                marker_color="rgba(176,184,200,0.45)",
                hovertemplate="%{y:,.0f}<extra>Volume</extra>",
            ),
            row=2,
            col=1,
        )
        fig.update_yaxes(title_text="Volume", row=2, col=1)
    fig.update_xaxes(rangeslider_visible=False, type="date")
    fig.update_layout(showlegend=False, margin={"l": 56, "r": 16, "t": 24, "b": 32})
    if yoy:
        fig.update_yaxes(ticksuffix="%", **where)
        fig.add_hline(y=0, line_width=1, line_color=theme.TEXT_SECONDARY, line_dash="dot")
    elif view.log and frame["close"].min() > 0:
        log_axis(fig, pd.concat([frame["close"], frame["high"], frame["low"]]).dropna(), **where)
    return fig


def rows_grid(ctx: PanelContext, frame: pd.DataFrame, bars: bool, yoy: bool) -> html.Div:
    count = int(ctx.spec.option("rows", 30))
    recent = frame.assign(change_pct=100 * frame["close"].pct_change()).tail(count).iloc[::-1]
    decimals = _style(ctx, float(frame["close"].iloc[-1])).decimals
    columns = [text_column("date", "Date")]
    if bars:
        columns += [number_column(c, c.title(), decimals=decimals) for c in ("open", "high", "low", "close")]
        columns.append(number_column("volume", "Volume", decimals=0))
    else:
        columns.append(number_column("close", "Value", decimals=decimals))
    columns.append(number_column("change_pct", "Change %", change=True, decimals=2))
    if yoy:
        columns.append(number_column("yoy", "YoY %", change=True, decimals=2))
    columns.append(text_column("source", "Source"))
    fields = [c["field"] for c in columns]
    shown = recent[fields].assign(date=recent["date"].dt.strftime("%Y-%m-%d"))
    return data_grid(f"{ctx.dom_id}-rows", shown, columns, filename=f"spartan-{ctx.dom_id}-rows", height=360)


def instrument_data(ctx: PanelContext) -> pd.DataFrame:
    key = chosen_symbol(ctx)
    _frame, shown, yoy = instrument_rows(ctx, key)
    out = pd.DataFrame({"Date": shown["date"].dt.strftime("%Y-%m-%d"), "Symbol": key})
    if read.is_bar_dataset(ctx.spec.dataset):
        for col in BAR_COLUMNS:
            out[col.title()] = shown[col]
    else:
        out["Value"] = shown["close"]
    if yoy:
        out["YoY %"] = shown["yoy"].round(6)
    out["Source"] = shown["source"]
    return out


# The symbol picker: a dropdown whose change rewrites ``?compare=`` through a dcc.Location, so
# the pages router draws the chosen instrument server-side (the explorer uses it for several).
PICKER = "view-picker"
PICKER_LOCATION = "view-picker-location"
# dcc.Dropdown (Dash 4) reads its colours from these variables; its menu renders inside the
# wrapper, so setting them here themes the whole control in the Spartan navy.
PICKER_THEME = {
    "--Dash-Fill-Inverse-Strong": theme.NAVY_DARK,
    "--Dash-Text-Strong": theme.TEXT,
    "--Dash-Text-Primary": theme.TEXT,
    "--Dash-Text-Weak": theme.TEXT_SECONDARY,
    "--Dash-Text-Disabled": "rgba(176, 184, 200, 0.7)",
    "--Dash-Stroke-Strong": "rgba(255, 255, 255, 0.18)",
    "--Dash-Stroke-Weak": "rgba(255, 255, 255, 0.08)",
    "--Dash-Fill-Interactive-Strong": theme.RED_LIGHT,
    "--Dash-Fill-Interactive-Weak": "rgba(224, 78, 78, 0.18)",
    "--Dash-Fill-Disabled": "rgba(255, 255, 255, 0.08)",
    "--Dash-Fill-Primary-Hover": "rgba(255, 255, 255, 0.06)",
    "--Dash-Fill-Primary-Active": "rgba(224, 78, 78, 0.25)",
    "color": theme.TEXT,
}


def picker(index: str, options: list[dict], value, multi: bool = False, max_items: int | None = None, **extra):
    """A searchable dropdown bound to the URL's ``?compare=`` (see ``register_callbacks``)."""
    return html.Div(
        [
            dcc.Location(id={"type": PICKER_LOCATION, "index": index}, refresh="callback-nav"),
            dcc.Dropdown(
                id={"type": PICKER, "index": index},
                options=options,
                value=value,
                multi=multi,
                clearable=multi,
                searchable=True,
                maxHeight=320,
                **({"optionHeight": 34} if not multi else {}),
                **extra,
            ),
            *([html.Small(f"Up to {max_items}.", className="text-secondary")] if max_items else []),
        ],
        className="view-picker mb-3",
        style={"maxWidth": "640px", **PICKER_THEME},
    )


def picker_search(value, search: str | None, max_items: int = 12) -> str:
    """The query string with ``compare`` set to the picked key(s), every other parameter kept."""
    keys = [value] if isinstance(value, str) else [str(v) for v in (value or [])]
    keys = [k for k in dict.fromkeys(keys) if k][:max_items]
    params = [(k, v) for k, v in parse_qsl((search or "").lstrip("?")) if k != "compare"]
    params.append(("compare", ",".join(keys)))
    return "?" + urlencode(params, safe=",")


def _on_pick(value, search):
    new = picker_search(value, search)
    return dash.no_update if new == (search or "") else new


def register_callbacks(app: dash.Dash) -> None:
    """The picker → URL callback, on ``app`` (not dash.callback's process-wide list)."""
    app.callback(
        Output({"type": PICKER_LOCATION, "index": MATCH}, "search"),
        Input({"type": PICKER, "index": MATCH}, "value"),
        State({"type": PICKER_LOCATION, "index": MATCH}, "search"),
        prevent_initial_call=True,
    )(_on_pick)


@panel_type("instrument_detail", instrument_data, instrument_reads, view=("range", "log"))
def instrument_detail(ctx: PanelContext):
    settings, dataset = ctx.settings, ctx.spec.dataset
    keys = dataset_keys(settings, dataset)
    key = chosen_symbol(ctx)
    label = keys.get(key, key)
    parts = []
    if ctx.spec.option("picker") and not ctx.view.embed:
        options = [{"label": f"{name} ({k})" if name != k else k, "value": k} for k, name in keys.items()]
        parts.append(picker(ctx.dom_id, options, key))
    frame, shown, yoy = instrument_rows(ctx, key)
    stats = instrument_stats(frame)
    if ctx.spec.option("heading", True):
        heading = [html.H3(f"{label} ({key})" if label != key else key, className="h5 mb-0")]
        if ctx.spec.option("picker"):
            heading.append(dcc.Link("Full page →", href=detail_href(dataset, key), className="ms-2 small"))
        parts.append(html.Div(heading, className="d-flex align-items-baseline gap-2 mb-2"))
    parts.append(stats_cards(ctx, stats, shown if yoy else None))
    decimals = _style(ctx, stats["last"]).decimals
    fig = detail_figure(shown, label, ctx.view, yoy, int(ctx.spec.option("height", 440)), decimals)
    parts.append(chart(ctx, fig))
    parts.append(html.H3("Recent observations", className="h6 mt-3 mb-2 text-secondary"))
    parts.append(rows_grid(ctx, shown, read.is_bar_dataset(dataset), yoy))
    return html.Div(parts)


# --- the detail pages (/instrument/<symbol>, /series/<id>) ------------------------------------

_SAFE_KEY = re.compile(r"^[A-Za-z0-9^=._:-]{1,64}$")


def _text(query: Mapping, name: str) -> str:
    value = query.get(name)
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    return str(value or "").strip()


def find_instrument(settings, key: str, wanted: str = "", series: bool = False) -> str | None:
    """The dataset to show ``key`` from: ``wanted`` when it holds the key, else the first
    catalog dataset that does (those of the page's kind first); None for unknown keys."""
    holders = [
        name
        for name in catalog(settings).datasets()
        if name in DATASETS and DATASETS[name].value_column and key in dataset_keys(settings, name)
    ]
    if wanted in holders:
        return wanted
    preferred = [n for n in holders if (n in SERIES_DATASETS) == series]
    return (preferred or holders or [None])[0]


def detail_title(kind: str, key: str | None = None, **variables) -> str:
    """The browser title: "<Label> (<KEY>) · Spartan Research Station" (catalog text only);
    Dash passes the path variable by name (``symbol``, ``series_id``)."""
    key = key or variables.get("symbol") or variables.get("series_id")
    try:
        settings = read.current_settings()
        key = unquote(key or "").strip()
        dataset = find_instrument(settings, key, series=kind == "series") if _SAFE_KEY.match(key) else None
    except Exception:  # noqa: BLE001 - a title must never fail the page
        dataset = None
    if dataset is None:
        return f"Unknown {'series' if kind == 'series' else 'symbol'} · {APP_NAME}"
    label = dataset_keys(settings, dataset).get(key, key)
    return f"{label} ({key}) · {APP_NAME}"


def unknown_page(kind: str, key: str) -> html.Div:
    noun = "series" if kind == "series" else "symbol"
    shown = f"“{key}” is" if _SAFE_KEY.match(key) else f"This {noun} is"
    links = [dcc.Link("← Back to the overview", href="/")]
    if kind == "series":
        links += [" · ", dcc.Link("Search the FRED series", href="/fred-explorer")]
    return html.Div(
        [
            html.H1(f"Unknown {noun}", className="spartan-page-title"),
            empty_state(f"Unknown {noun}", f"{shown} not in the station's catalog."),
            html.P(links, className="mt-3"),
        ],
        className="detail-page detail-unknown",
    )


def view_toolbar(path: str, view: ViewState, extra: Mapping[str, str] | None = None, rebase: bool = False):
    """Range, scale (and rebasing) as links to ``path`` with the query changed; ``extra``
    parameters (``dataset``, ``transform``) are kept on every link."""
    tail = urlencode({k: v for k, v in (extra or {}).items() if v})

    def href(**change) -> str:
        query = view.query(**change)
        return path + (query + ("&" if query else "?") + tail if tail else query)

    def link(label: str, active: bool, **change) -> dcc.Link:
        return dcc.Link(label, href=href(**change), className="view-link active" if active else "view-link")

    groups = [
        ("Range", [link(r if r != "MAX" else "Max", view.range == r, range=r) for r in RANGES]),
        ("Scale", [link("Linear", not view.log, log=False), link("Log", view.log, log=True)]),
    ]
    if rebase:
        groups.append(
            (
                "Comparison",
                [link("Levels", not view.rebase, rebase=False), link("Rebased to 100", view.rebase, rebase=True)],
            )
        )
    return html.Nav(
        [html.Div(items, className="view-group", role="group", **{"aria-label": name}) for name, items in groups],
        className="view-toolbar",
        **{"aria-label": "View options"},
    )


def detail_context(kind: str, key: str, dataset: str, view: ViewState, transform: str) -> PanelContext:
    """A panel context for the detail pages: a one-panel dashboard drawing ``key``."""
    board_id, _path = DETAIL_BOARDS.get(dataset, (f"{kind}-detail", f"/{kind}/{key}"))
    spec = PanelSpec(
        id="detail",
        type="instrument_detail",
        title=key,
        dataset=dataset,
        options=MappingProxyType({"default": key, "transform": transform, "heading": False}),
    )
    board = Dashboard(id=board_id, title=key, path=f"/{kind}/{key}", group="", order=0, description="", panels=(spec,))
    return PanelContext(board, spec, replace(view, compare=(key,)), read.current_settings())


def detail_page(kind: str, raw_key: str | None, query: Mapping) -> html.Div:
    """/instrument/<symbol> and /series/<id>: the instrument_detail panel for one catalog key,
    from ``?dataset=`` when it holds the key, else the first dataset that does."""
    key = unquote(str(raw_key or "")).strip()
    view = replace(parse_view(query), compare=())
    try:
        settings = read.current_settings()
        dataset = find_instrument(settings, key, _text(query, "dataset"), series=kind == "series") if key else None
    except read.StorageUnavailable as exc:
        return html.Div([degraded_state(str(exc))])
    if dataset is None:
        return unknown_page(kind, key)
    label = dataset_keys(settings, dataset).get(key, key)
    transform = "yoy" if kind == "series" and _text(query, "transform").lower() == "yoy" else ""
    ctx = detail_context(kind, key, dataset, view, transform)
    try:
        body = instrument_detail(ctx)
        freq = frequency(instrument_rows(ctx, key)[0]["date"])
    except NoData as exc:
        body, freq = empty_state("No data yet", str(exc) or "The sidecar has not stored this data yet."), None
    except read.StorageUnavailable as exc:
        body, freq = degraded_state(f"{exc}. The page will show data again once the database answers."), None
    path = f"/{kind}/{key}"
    asked = _text(query, "dataset")
    notes = []
    if asked and asked != dataset:
        notes.append(
            html.P(f"That dataset has no {key}; showing it from {DATASETS[dataset].title}.", className="text-warning")
        )
    header = [
        html.H1(f"{label} ({key})" if label != key else key, className="spartan-page-title"),
        html.P(
            [f"{DATASETS[dataset].title} · {key}", *_board_link(dataset, key)],
            className="spartan-subtitle",
        ),
        *notes,
    ]
    if not view.embed:
        header.append(view_toolbar(path, view, {"dataset": dataset, "transform": transform}))
        if kind == "series" and freq in YOY_FREQUENCIES:
            header.append(_transform_toggle(path, view, dataset, transform))
    query = replace(view, embed=False).query()
    extra = urlencode({"dataset": dataset, **({"transform": transform} if transform else {})})
    csv = f"/csv/{kind}/{url_quote(key)}.csv" + (f"{query}&{extra}" if query else f"?{extra}")
    actions = [html.A("CSV", href=csv, className="panel-action", title="Download these rows as CSV")]
    card = html.Section(
        [html.Div(actions, className="panel-actions d-flex justify-content-end mb-2"), body] if actions else [body],
        className="spartan-card panel panel-instrument_detail",
        id=f"panel-{ctx.dom_id}",
    )
    return html.Div([*header, card], className=f"detail-page detail-{kind}")


def _board_link(dataset: str, key: str) -> list:
    if dataset not in DETAIL_BOARDS:
        return []
    return [" · ", dcc.Link("compare in the detail dashboard", href=f"{DETAIL_BOARDS[dataset][1]}?compare={key}")]


def _transform_toggle(path: str, view: ViewState, dataset: str, transform: str) -> html.Nav:
    def href(value: str) -> str:
        query = view.query()
        tail = urlencode({"dataset": dataset, **({"transform": value} if value else {})})
        return path + (query + "&" if query else "?") + tail

    return html.Nav(
        html.Div(
            [
                dcc.Link("Levels", href=href(""), className="view-link" + ("" if transform else " active")),
                dcc.Link("YoY %", href=href("yoy"), className="view-link" + (" active" if transform else "")),
            ],
            className="view-group",
            role="group",
            **{"aria-label": "Transform"},
        ),
        className="view-toolbar",
        **{"aria-label": "Transform"},
    )
