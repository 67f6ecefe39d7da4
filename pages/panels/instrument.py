"""The ``instrument_detail`` panel type: one instrument's chart (candlesticks when the rows have
open/high/low, else a line; volume bars when there is volume), its stats (last, 1D/1W/1M/YTD/1Y
change, 52-week high/low, 1-year annualised volatility) and its recent rows. The instrument is
the URL's first ``?compare=`` key that the dataset holds, else the panel's ``default``. Options:
``default``, ``picker`` (a dropdown of the dataset's instruments that rewrites ``?compare=``,
components/picker.py), ``transform: yoy`` (monthly/quarterly series), ``heading`` (false: no
name line), ``decimals``, ``rows``, ``height``.

The detail pages (/instrument/<symbol>, /series/<id>, pages/detail.py) draw the same panel."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html
from plotly.subplots import make_subplots

from components.axes import log_axis
from components.cards import fitted_value
from components.figures import bars, drawn_values, epoch_ms, flag_markers, plot_points, shape_for, thin
from components.grid import data_grid, number_column, text_column
from components.numbers import NumberStyle, format_bp, format_number, format_pct, rounded
from components.picker import picker
from components.view_state import ViewState
from config import theme
from config.catalog_index import catalog
from config.csv_format import with_quality
from pages.panels.base import NoData, PanelContext, chart, panel_type
from pages.panels.core import NUMBER_OPTIONS, _yoy, detail_href, number_style
from pages.panels.returns import annualised_volatility, trailing_changes
from sql import read
from sql.plans import Read

FREQUENCIES = {
    "daily": ("1D", "1W", "1M", "YTD", "1Y"),
    "weekly": ("1W", "1M", "YTD", "1Y"),
    "monthly": ("1M", "3M", "YTD", "1Y"),
    "quarterly": ("3M", "YTD", "1Y"),
    "annual": ("1Y", "5Y"),
}
YOY_FREQUENCIES = ("monthly", "quarterly")
BAR_COLUMNS = ("open", "high", "low", "close", "volume")
STATS_DAYS_BARS = 400
STATS_DAYS_SERIES = 6 * 366


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


def instrument_stats(frame: pd.DataFrame) -> dict:
    """Last value, % changes over the periods that suit its frequency, 52-week high and low (of
    the bars' highs/lows when there are any) and 1-year annualised volatility (stdev of period
    returns × √(observations in the year))."""
    series = frame.dropna(subset=["close"]).set_index("date")["close"].astype(float).sort_index()
    if series.empty:
        return {}
    last_date, last = series.index[-1], float(series.iloc[-1])
    freq = frequency(series.index)
    changes = trailing_changes(series, FREQUENCIES[freq])
    deltas = trailing_changes(series, FREQUENCIES[freq], how="diff")
    year = series[series.index > last_date - pd.DateOffset(years=1)]
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
        "vol_1y": annualised_volatility(series),
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
    frame: pd.DataFrame,
    label: str,
    view: ViewState,
    yoy: bool = False,
    height: int = 440,
    decimals: int = 2,
    flags: pd.DataFrame | None = None,
) -> go.Figure:
    """Candlesticks when open/high/low are there (else a line of the close, or of YoY %), and
    volume bars underneath when there is volume; the instrument's quality ``flags`` marked on
    the close (not on YoY %, a value of another kind)."""
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
    if flags is not None and not yoy:
        drawn = pd.DataFrame({"key": "_", "date": frame["date"], "value": frame["close"]})
        marks = flag_markers(drawn, flags.assign(key="_"), decimals=decimals)
        if marks is not None:
            fig.add_trace(marks, **where)
    if volume:
        volume_bars = bars(
            epoch_ms(frame["date"]),
            pd.Series(drawn_values(frame["volume"], 0)),
            name="Volume",
            color="rgba(176,184,200,0.45)",
            value_format=",.0f",
        )
        volume_bars.hovertemplate += "<extra>Volume</extra>"
        fig.add_trace(volume_bars, row=2, col=1)
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
    if "quality" in frame and frame["quality"].notna().any():
        columns.append(text_column("quality", "Quality", minWidth=160))
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
    out["Quality"] = with_quality(shown, read.quality_flags(ctx.spec.dataset, [key]), key=key)["quality"].to_numpy()
    return out


INSTRUMENT_OPTIONS = {
    "default": str,
    "picker": bool,
    "transform": str,
    "heading": bool,
    "rows": int,
    "height": int,
    **NUMBER_OPTIONS,
}


@panel_type("instrument_detail", instrument_data, instrument_reads, view=("range", "log"), options=INSTRUMENT_OPTIONS)
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
    flags = read.quality_flags(dataset, [key])
    fig = detail_figure(shown, label, ctx.view, yoy, int(ctx.spec.option("height", 440)), decimals, flags)
    parts.append(chart(ctx, fig))
    parts.append(html.H3("Recent observations", className="h6 mt-3 mb-2 text-secondary"))
    parts.append(rows_grid(ctx, with_quality(shown, flags, key=key), read.is_bar_dataset(dataset), yoy))
    return html.Div(parts)
