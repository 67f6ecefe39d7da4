"""What the analytics panel types share: the analytics configuration, date and number helpers,
and the figure/layout helpers their charts are built with.

They read the analytics tables the sidecar writes (jobs/analytics) through ``sql.read`` only;
the tiny rules they need (the rotation quadrant, the sentiment bands) are restated in their
modules, since pages never import the jobs. Each panel's ``dataset`` is only for its freshness
badge: the tables these types read are fixed.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date
from functools import lru_cache

import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

from config import theme
from config.analytics import AnalyticsConfig, load_analytics
from pages.panels.base import NoData, PanelContext, chart
from pages.panels.instrument import chosen_symbol
from sql import read

GREEN, RED, AMBER, BLUE = theme.SUCCESS, theme.DANGER, "#ffd166", "#4fc3f7"
MUTED = theme.TEXT_SECONDARY
# The logger of the module the analytics panel types came from (the log names stay the same).
log = logging.getLogger("pages.panels.analytics")


@lru_cache(maxsize=1)
def analytics_config() -> AnalyticsConfig:
    return load_analytics()


def _days(values: pd.Series) -> pd.Series:
    """Dates or timestamps (naive or tz-aware) as naive midnight timestamps."""
    stamps = pd.to_datetime(values)
    if stamps.dt.tz is not None:
        stamps = stamps.dt.tz_convert(None)
    return stamps.dt.normalize()


def _iso(values: pd.Series) -> pd.Series:
    return _days(values).dt.strftime("%Y-%m-%d")


def _newest(dataset: str) -> date:
    newest = read.latest_date(dataset)
    if newest is None:
        raise NoData()
    return newest


def _numeric(frame: pd.DataFrame, columns) -> pd.DataFrame:
    """``columns`` as floats (a column with NULLs can come back as objects holding None)."""
    return frame.assign(**{c: pd.to_numeric(frame[c], errors="coerce").astype(float) for c in columns})


def _label_overrides(ctx: PanelContext) -> dict[str, str]:
    return {str(k): str(v) for k, v in (ctx.spec.option("labels") or {}).items()}


def _graph(ctx: PanelContext, figure: go.Figure, part: str) -> dcc.Graph:
    """One of several charts of a panel."""
    return chart(ctx, figure, part)


def _side_by_side(*children, min_width: int = 320) -> html.Div:
    return html.Div(
        list(children),
        style={
            "display": "grid",
            "gridTemplateColumns": f"repeat(auto-fit, minmax({min_width}px, 1fr))",
            "gap": "0.75rem",
            "alignItems": "start",
        },
    )


def _figure(height: int, **layout) -> go.Figure:
    return go.Figure(layout={"template": "spartan", "height": height, **layout})


def picked_instrument(ctx: PanelContext) -> str:
    """The instrument of a one-instrument panel: the URL's ``?compare=`` pick when the panel has
    the picker (``picker: true``), else its ``default`` — so that the pick on a page's main
    panel does not turn its other panels of the same dataset into copies of it."""
    if ctx.spec.option("picker"):
        return chosen_symbol(ctx)
    return chosen_symbol(replace(ctx, view=replace(ctx.view, compare=())))


def view_choice(ctx: PanelContext, kind: str, choices: tuple[str, ...]) -> str:
    """The panel's ``view`` option, one of ``choices`` (the first when unset)."""
    view = str(ctx.spec.option("view", choices[0]))
    if view not in choices:
        raise ValueError(f"panel {ctx.dom_id}: {kind} view must be one of {choices}, got {view!r}")
    return view
