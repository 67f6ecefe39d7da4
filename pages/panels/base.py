"""The panel registry: ``PanelContext``, ``@panel_type``, ``NoData`` and the card every panel is
drawn in (``render_panel``), with the memo of built panel bodies. The panel type modules of this
package import from here; ``pages/panels/__init__.py`` imports those modules to register them."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from urllib.parse import quote

import pandas as pd
from cachetools import LRUCache
from dash import html

from components import lazy
from components.cards import degraded_state, empty_state, freshness_badge
from components.figures import lazy_graph
from components.view_state import ViewState
from config.dashboard_specs import Dashboard, PanelSpec
from config.settings import Settings
from pages import layout_cache
from sql import read
from sql.datasets import DATASETS
from sql.plans import Read
from sql.store import get_store

log = logging.getLogger(__name__)


class NoData(Exception):
    """Raised by a panel type when its data is not there yet; shown as a "no data yet" state."""


@dataclass(frozen=True)
class PanelContext:
    dashboard: Dashboard
    spec: PanelSpec
    view: ViewState
    settings: Settings

    @property
    def dom_id(self) -> str:
        return f"{self.dashboard.id}-{self.spec.id}"


def no_reads(ctx: PanelContext) -> list[Read]:
    """Panels drawn from the station's own status (no dataset rows)."""
    return []


@dataclass(frozen=True)
class PanelType:
    name: str
    render: Callable[[PanelContext], object]
    data: Callable[[PanelContext], pd.DataFrame]
    needs_dataset: bool = True
    # The toolbar's view options this type follows ("range", "log", "rebase"): a dashboard
    # shows only the toolbar groups one of its panels follows.
    view_options: frozenset[str] = frozenset()
    reads: Callable[[PanelContext], list[Read]] = no_reads
    # The dashboard-file options this type reads, with their YAML types: any other is refused
    # when the dashboards load (config/dashboard_specs.check_panel_options).
    options: Mapping[str, type | tuple[type, ...]] = field(default_factory=lambda: MappingProxyType({}))


VIEW_OPTIONS = ("range", "log", "rebase")
PANEL_TYPES: dict[str, PanelType] = {}


def panel_type(
    name: str,
    data: Callable[[PanelContext], pd.DataFrame],
    reads: Callable[[PanelContext], list[Read]],
    needs_dataset: bool = True,
    view: tuple[str, ...] = (),
    options: Mapping[str, type | tuple[type, ...]] | None = None,
):
    """Register the decorated render function as panel type ``name`` with its ``data`` and
    ``reads`` functions; ``view`` names the toolbar options (``VIEW_OPTIONS``) the type follows,
    ``options`` the dashboard-file options it reads (name → YAML type)."""
    unknown = set(view) - set(VIEW_OPTIONS)
    if unknown:
        raise ValueError(f"panel type {name!r}: unknown view options {sorted(unknown)}")

    def register(render: Callable[[PanelContext], object]):
        PANEL_TYPES[name] = PanelType(
            name, render, data, needs_dataset, frozenset(view), reads, MappingProxyType(dict(options or {}))
        )
        return render

    return register


def csv_href(ctx: PanelContext) -> str:
    query = ctx.view.query(embed=False)
    return f"/csv/{quote(ctx.dashboard.id)}/{quote(ctx.spec.id)}.csv{query}"


def embed_href(ctx: PanelContext) -> str:
    """The panel alone; with logins on, the Embed dialog that makes a signed link to it
    (middleware/embed_dialog.py)."""
    if ctx.settings.auth != "none":
        query = ctx.view.query(embed=False).lstrip("?")
        return f"/account/embed?dashboard={quote(ctx.dashboard.id)}&panel={quote(ctx.spec.id)}" + (
            f"&{query}" if query else ""
        )
    return f"/embed/{quote(ctx.dashboard.id)}/{quote(ctx.spec.id)}{ctx.view.query(embed=False)}"


def pin_href(ctx: PanelContext) -> str:
    """ "Pin" the panel to one of the signed-in user's boards (pages/board_routes.py)."""
    return f"/boards/pin?dashboard={quote(ctx.dashboard.id)}&panel={quote(ctx.spec.id)}"


def panel_reads(ctx: PanelContext) -> list[Read]:
    """The reads a panel declares (none when its options are broken: it says so when drawn)."""
    try:
        return PANEL_TYPES[ctx.spec.type].reads(ctx)
    except (NoData, ValueError) as exc:
        log.debug("panel %s declares no reads: %s", ctx.dom_id, exc)
        return []


def _badge(ctx: PanelContext):
    if not ctx.spec.dataset or ctx.spec.dataset not in DATASETS:
        return None
    try:
        state = read.dataset_state(ctx.spec.dataset)
    except read.StorageUnavailable:
        return None
    return freshness_badge(state.updated_at, state.sources, ctx.settings.freshness_target_minutes)


# Panel bodies already built, by what they are built from: the panel, the view, whether parts
# are drawn at once, and the version of every dataset the panel reads. A body depends on nothing
# else (freshness badges, which tell the time, are outside it), so a repeat view of a page whose
# data has not moved skips building its figures (most of a warm page's server time).
_BODIES: LRUCache = LRUCache(maxsize=512)
_BODIES_LOCK = threading.Lock()


def _body_key(ctx: PanelContext) -> tuple | None:
    reads = panel_reads(ctx)
    if not reads:
        return None  # the station's own state (status, logs): built every time
    try:
        versions = tuple(sorted({(r.dataset, read.dataset_version(r.dataset)) for r in reads}))
    except read.StorageUnavailable:
        return None
    return (id(get_store()), ctx.dashboard.id, repr(ctx.spec), ctx.view, lazy.eager(), versions)


def _body(kind: PanelType, ctx: PanelContext):
    """``kind.render(ctx)``, kept per process for the versions of what it reads."""
    key = _body_key(ctx)
    if key is None:
        layout_cache.uncacheable()  # built from the station's state every time: so is its page
    else:
        with _BODIES_LOCK:
            found = _BODIES.get(key)
        if found is not None:
            return found
    body = kind.render(ctx)
    if key is not None:
        with _BODIES_LOCK:
            _BODIES[key] = body
    return body


def render_panel(ctx: PanelContext) -> html.Section:
    """One panel as a card: title, freshness, CSV/embed actions, and its body or state."""
    kind = PANEL_TYPES[ctx.spec.type]
    try:
        body = _body(kind, ctx)
    except NoData as exc:
        body = empty_state("No data yet", str(exc) or "The sidecar has not stored this data yet.")
    except read.StorageUnavailable as exc:
        layout_cache.uncacheable()  # the page must not keep showing the outage once it is over
        body = degraded_state(f"{exc}. The page will show data again once the database answers.")
    links = [html.A("CSV", href=csv_href(ctx), className="panel-action", title="Download this panel's data as CSV")]
    if not ctx.view.embed:
        links.append(
            html.A("Embed", href=embed_href(ctx), className="panel-action", title="This panel alone, to embed")
        )
    if ctx.settings.auth != "none" and not ctx.view.embed:
        # Boards belong to a user: with logins on only; the same link for every user, so the
        # page's layout stays cacheable.
        links.append(html.A("Pin", href=pin_href(ctx), className="panel-action", title="Pin this panel to a board"))
    actions = html.Div([_badge(ctx), *links], className="panel-actions")
    header = html.Div(
        [html.H2(ctx.spec.title, className="spartan-card-title"), actions],
        className="d-flex justify-content-between align-items-center gap-2 mb-2 flex-wrap",
    )
    return html.Section(
        [header, body],
        className=f"spartan-card panel panel-{ctx.spec.type}",
        id=f"panel-{ctx.dom_id}",
        style={"gridColumn": f"span {ctx.spec.width}"},
    )


def panel_data(ctx: PanelContext) -> pd.DataFrame:
    """The rows a panel draws (raises NoData when there are none yet)."""
    return PANEL_TYPES[ctx.spec.type].data(ctx)


def graph_config(filename: str) -> dict:
    return {
        "displaylogo": False,
        "responsive": True,
        "toImageButtonOptions": {"filename": filename, "format": "png", "scale": 2},
    }


def chart(ctx: PanelContext, figure, part: str | None = None):
    """A panel's chart (``part`` names one of several charts of the same panel), drawn when it
    scrolls into view (components/lazy.py) — at once in an embed."""
    name = f"{ctx.dom_id}-{part}" if part else ctx.dom_id
    height = figure.layout.height or (320 if part else 360)
    return lazy_graph(f"graph-{name}", figure, graph_config(f"spartan-{name}"), height)


def option_schemas() -> dict[str, Mapping[str, type | tuple[type, ...]]]:
    """Every registered panel type's options (for config/dashboard_specs.check_panel_options)."""
    return {name: kind.options for name, kind in PANEL_TYPES.items()}
