"""The sentiment panel type: the composite fear & greed gauge, its components and history."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from dash import html

from components.cards import kpi, kpi_text
from config import theme
from config.catalog_index import labels
from pages.panels.analytics.common import (
    MUTED,
    _days,
    _figure,
    _graph,
    _label_overrides,
    _newest,
    _side_by_side,
    analytics_config,
)
from pages.panels.base import NoData, PanelContext, panel_type
from sql import read
from sql.plans import Read

COMPOSITE = "COMPOSITE"
# The composite's bands (jobs/analytics/compute.SENTIMENT_LABELS): upper bound, label, colour.
SENTIMENT_BANDS = (
    (25, "Extreme fear", "#b2182b"),
    (45, "Fear", "#ef8a62"),
    (55, "Neutral", "#8a94a6"),
    (75, "Greed", "#7fd8a4"),
    (100, "Extreme greed", "#00c46a"),
)
SENTIMENT_KPIS = ("FEAR_GREED", "CRYPTO_FEAR_GREED")
COMPUTED_NAMES = {"VIX_TERM_STRUCTURE": "VIX term structure (VIX / VIX3M)"}


def sentiment_band(score: float) -> tuple[str, str]:
    for bound, label, colour in SENTIMENT_BANDS:
        if score < bound:
            return label, colour
    return SENTIMENT_BANDS[-1][1], SENTIMENT_BANDS[-1][2]


def _component_names(ctx: PanelContext) -> dict[str, str]:
    """``COMPOSITE_<key>`` → the component's name, in config order."""
    config = analytics_config()
    found = {**labels(ctx.settings, "sentiment_indicators"), **COMPUTED_NAMES, **_label_overrides(ctx)}
    names = {}
    for ref in config.sentiment_scores:
        names[f"{COMPOSITE}_{ref.key}"] = found.get(ref.key, ref.key)
    for ref in config.sentiment_fear_high:
        names[f"{COMPOSITE}_{ref.key}"] = found.get(ref.key, ref.key) + " (inverse 1y percentile)"
    return names


def sentiment_reads(ctx: PanelContext) -> list[Read]:
    """The composite and its components over the URL's range; the KPIs' last three months."""
    components = (COMPOSITE, *_component_names(ctx))
    return [
        Read("rows", "sentiment_indicators", components, range=ctx.view.range),
        Read("rows", "sentiment_indicators", tuple(SENTIMENT_KPIS), days=90),
    ]


def sentiment_rows(ctx: PanelContext) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]:
    """(composite + components over the URL's range, wide by date; the KPIs' recent rows; names)."""
    _newest("sentiment_indicators")
    components = _component_names(ctx)
    history_read, kpis_read = sentiment_reads(ctx)
    frame = read.fetch(history_read)
    composite = frame[frame["indicator_id"] == COMPOSITE] if not frame.empty else frame
    if composite.empty:
        raise NoData("The fear/greed composite has not been computed yet.")
    frame = frame.assign(date=_days(frame["date"]))
    wide = frame.pivot_table(index="date", columns="indicator_id", values="value", aggfunc="last").sort_index()
    wide = wide.reindex(columns=[COMPOSITE, *[c for c in components if c in wide.columns]])
    labels_ = frame[frame["indicator_id"] == COMPOSITE].set_index("date")["label"]
    wide.insert(1, "label", labels_.reindex(wide.index))
    wide = wide[wide[COMPOSITE].notna()]
    kpis = read.fetch(kpis_read)
    if not kpis.empty:
        kpis = kpis.assign(date=_days(kpis["date"])).sort_values("date")
    return wide, kpis, components


def sentiment_data(ctx: PanelContext) -> pd.DataFrame:
    wide, kpis, components = sentiment_rows(ctx)
    out = wide.rename(columns={COMPOSITE: "Composite", "label": "Label", **components})
    names = labels(ctx.settings, "sentiment_indicators")
    if not kpis.empty:
        raw = kpis.pivot_table(index="date", columns="indicator_id", values="value", aggfunc="last")
        for key in SENTIMENT_KPIS:
            if key in raw.columns:
                out[f"{names.get(key, key)} (raw)"] = raw[key].reindex(out.index)
    out = out.round(4)
    out.index = out.index.strftime("%Y-%m-%d")
    return out.reset_index(names="Date")


def _gauge(ctx: PanelContext, wide: pd.DataFrame) -> go.Figure:
    today = wide.iloc[-1]
    value, as_of = float(today[COMPOSITE]), wide.index[-1]
    label = today["label"] if isinstance(today["label"], str) and today["label"] else sentiment_band(value)[0]
    week = wide[COMPOSITE].loc[: as_of - pd.Timedelta(days=7)]
    colour = sentiment_band(value)[1]
    fig = _figure(280, margin={"l": 32, "r": 32, "t": 48, "b": 8})
    fig.update_layout(
        title={
            "text": f"Composite today: <span style='color:{colour}'><b>{label}</b></span> ({as_of:%Y-%m-%d})",
            "font": {"size": 13},
            "x": 0,
            "xanchor": "left",
        }
    )
    fig.add_trace(
        go.Indicator(
            mode="gauge+number" + ("+delta" if not week.empty else ""),
            value=value,
            number={"valueformat": ".0f", "font": {"family": theme.FONT_MONO, "size": 44}},
            delta={"reference": float(week.iloc[-1]), "valueformat": ".1f", "suffix": " vs 1W"}
            if not week.empty
            else None,
            gauge={
                "axis": {"range": [0, 100], "tickvals": [0, 25, 45, 55, 75, 100], "tickcolor": MUTED},
                "bar": {"color": theme.TEXT, "thickness": 0.22},
                "bgcolor": "rgba(0,0,0,0)",
                "borderwidth": 0,
                "steps": [
                    {"range": [low, high], "color": colour}
                    for (low, (high, _, colour)) in zip(
                        [0, *[b[0] for b in SENTIMENT_BANDS[:-1]]], SENTIMENT_BANDS, strict=True
                    )
                ],
            },
            domain={"x": [0, 1], "y": [0, 1]},
        )
    )
    return fig


def _components_figure(wide: pd.DataFrame, components: dict[str, str]) -> go.Figure:
    today = wide.iloc[-1]
    shown = [(components[c], float(today[c])) for c in components if c in wide.columns and pd.notna(today[c])]
    fig = _figure(280, hovermode="closest", margin={"l": 8, "r": 16, "t": 36, "b": 32}, showlegend=False)
    if shown:
        names, values = zip(*shown, strict=True)
        fig.add_trace(
            go.Bar(
                x=list(values),
                y=list(names),
                orientation="h",
                marker={"color": [sentiment_band(v)[1] for v in values]},
                text=[f"{v:.0f}" for v in values],
                textposition="outside",
                textfont={"family": theme.FONT_MONO},
                hovertemplate="%{y}: %{x:.1f}<extra></extra>",
            )
        )
    fig.add_vline(x=50, line_width=1, line_color=MUTED, line_dash="dot")
    fig.update_xaxes(range=[0, 108], tickvals=[0, 25, 50, 75, 100])
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_layout(
        title={"text": "Components today (0 fear – 100 greed)", "font": {"size": 13}, "x": 0, "xanchor": "left"}
    )
    return fig


def _composite_history(ctx: PanelContext, wide: pd.DataFrame) -> go.Figure:
    fig = _figure(int(ctx.spec.option("height", 300)), showlegend=False)
    low = 0
    for high, _label, colour in SENTIMENT_BANDS:
        fig.add_hrect(y0=low, y1=high, fillcolor=colour, opacity=0.08, line_width=0, layer="below")
        low = high
    fig.add_trace(
        go.Scatter(
            x=wide.index,
            y=wide[COMPOSITE],
            name="Composite",
            mode="lines",
            line={"color": theme.TEXT, "width": 1.6},
            customdata=wide["label"].fillna(""),
            hovertemplate="%{y:.0f} %{customdata}<extra>Composite</extra>",
        )
    )
    fig.update_yaxes(range=[0, 100], tickvals=[0, 25, 45, 55, 75, 100])
    fig.update_layout(title={"text": "Composite history", "font": {"size": 13}, "x": 0, "xanchor": "left"})
    return fig


def _sentiment_kpis(ctx: PanelContext, wide: pd.DataFrame, kpis: pd.DataFrame) -> html.Div:
    today = wide.iloc[-1]
    cards = [kpi_text("Composite", f"{today[COMPOSITE]:.0f}", f"{today['label'] or ''} · {wide.index[-1]:%Y-%m-%d}")]
    names = labels(ctx.settings, "sentiment_indicators")
    for key in SENTIMENT_KPIS:
        rows = kpis[kpis["indicator_id"] == key] if not kpis.empty else kpis
        name = names.get(key, key)
        if rows.empty:
            cards.append(kpi(name, None))
            continue
        last = rows.iloc[-1]
        change = float(last["value"] - rows.iloc[-2]["value"]) if len(rows) > 1 else None
        label = last["label"] if isinstance(last["label"], str) and last["label"] else sentiment_band(last["value"])[0]
        card = kpi(name, float(last["value"]), "", change, last["date"], 0)
        card.children.insert(2, html.Div(label, className="kpi-asof"))
        cards.append(card)
    return html.Div(cards, className="kpi-row mb-2")


@panel_type(
    "sentiment",
    sentiment_data,
    sentiment_reads,
    needs_dataset=False,
    view=("range",),
    options={"labels": dict, "height": int},
)
def sentiment(ctx: PanelContext):
    wide, kpis, components = sentiment_rows(ctx)
    return html.Div(
        [
            _sentiment_kpis(ctx, wide, kpis),
            _side_by_side(
                _graph(ctx, _gauge(ctx, wide), "gauge"),
                _graph(ctx, _components_figure(wide, components), "components"),
            ),
            _graph(ctx, _composite_history(ctx, wide), "history"),
        ]
    )
