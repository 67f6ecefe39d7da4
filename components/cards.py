"""KPI cards, freshness badges, panels and the "no data yet" / degraded states."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pandas as pd
from dash import dcc, html

from components.numbers import NumberStyle, format_pct


def panel(title: str, *children, badge=None, panel_id: str | None = None) -> html.Section:
    """A titled card; ``badge`` (e.g. a freshness badge) sits on the title line."""
    header = html.Div(
        [html.H2(title, className="spartan-card-title"), badge],
        className="d-flex justify-content-between align-items-center gap-2 mb-2",
    )
    extra = {"id": panel_id} if panel_id else {}
    return html.Section([header, *children], className="spartan-card", **extra)


def format_age(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f}s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.0f} days"


def freshness_badge(last_update: datetime | None, source: str | None, target_minutes: int) -> html.Span:
    """ "Updated 12 min ago · fred_graph"; amber past the target, red past twice the target."""
    if last_update is None or pd.isna(last_update):
        return html.Span("no data yet", className="freshness-badge missing", title="Nothing downloaded yet")
    age = (datetime.now(UTC) - last_update).total_seconds()
    state = "fresh" if age <= target_minutes * 60 else "stale" if age <= 2 * target_minutes * 60 else "very-stale"
    text = f"updated {format_age(age)} ago" + (f" · {source}" if source else "")
    return html.Span(text, className=f"freshness-badge {state}", title=f"Last update {last_update:%Y-%m-%d %H:%M} UTC")


def period_label(as_of, previous=None) -> str:
    """The period an observation refers to, read from the gap to the one before it: "2025"
    (annual: a fiscal year or a World Bank year), "Q3 2025", "Oct 2025", "week of 2025-10-27",
    else the date."""
    when = pd.Timestamp(as_of)
    gap = (when - pd.Timestamp(previous)).days if previous is not None and not pd.isna(previous) else None
    if gap is not None and gap >= 300:
        return f"{when.year}"
    if gap is not None and gap >= 80:
        return f"Q{when.quarter} {when.year}"
    if gap is not None and gap >= 25:
        return f"{when:%b %Y}"
    if gap is not None and gap >= 6:
        return f"week of {when:%Y-%m-%d}"
    return f"as of {when:%Y-%m-%d}"


def fitted_value(text: str, class_name: str = "kpi-value", **extra) -> html.Div:
    """A KPI's big number, its size bounded by the card's width so long numbers never overflow
    ("52W HIGH 29,528.33"): a monospace digit is ~0.62 em and the wrapper is 100 cqi wide (the
    wrapper is the size container: a card that were one could not share its row's lines)."""
    size = f"min(1.6rem, {150 / max(len(text), 1):.1f}cqi)"
    style = {**extra.pop("style", {}), "fontSize": size}
    return html.Div(html.Div(text, className=class_name, style=style, **extra), className="kpi-fit")


def kpi(
    label: str,
    value: float | None,
    unit: str = "",
    change: float | None = None,
    as_of=None,
    decimals: int = 2,
    *,
    style: NumberStyle | None = None,
    previous_date=None,
) -> html.Div:
    """A headline number with its unit and its change since the previous observation: in basis
    points for rates, else in the value's unit and in percent ("+12.34 (+0.18%)")."""
    head = html.Div(label, className="kpi-label", title=label)
    if value is None or pd.isna(value):
        return html.Div([head, html.Div("—", className="kpi-value")], className="kpi spartan-card")
    style = style or NumberStyle(decimals, unit, "level")
    parts = [head, fitted_value(style.level(value))]
    if change is not None and not pd.isna(change):
        text = style.delta(change)
        if style.change == "level" and style.unit in ("%", " pp"):
            text = text.removesuffix("%").removesuffix(" pp") + " pp"  # a change of a percentage, in points
        elif style.change == "level":
            before = value - change
            # In percent only between positive levels: from a negative or zero base (a deficit,
            # a diffusion index crossing zero) a percent change says nothing.
            pct = 100 * change / before if before > 0 and value >= 0 else None
            if pct is not None and math.isfinite(pct):
                text = f"{text} ({format_pct(pct)})"
        parts.append(html.Div(text, className=f"kpi-change {style.delta_direction(change)}".strip()))
    if as_of is not None and not pd.isna(as_of):
        parts.append(html.Div(period_label(as_of, previous_date), className="kpi-asof"))
    return html.Div(parts, className="kpi spartan-card")


def kpi_text(label: str, text: str, note: str | None = None) -> html.Div:
    """A KPI card whose value is already text ("123 / 456", "4 min")."""
    parts = [html.Div(label, className="kpi-label", title=label), fitted_value(text)]
    if note:
        parts.append(html.Div(note, className="kpi-asof"))
    return html.Div(parts, className="kpi spartan-card")


def kpi_row(latest: pd.DataFrame, picks: list[tuple[str, str]], unit: str = "", decimals: int = 2) -> html.Div:
    """One KPI card per ``(key, label)`` from ``latest`` (``key, value, change, date`` rows)."""
    by_key = latest.set_index("key")
    cards = []
    for key, label in picks:
        if key in by_key.index:
            row = by_key.loc[key]
            cards.append(kpi(label, row["value"], unit, row["change"], row["date"], decimals))
        else:
            cards.append(kpi(label, None))
    return html.Div(cards, className="kpi-row")


NO_DATA = "No data yet"
DEMO_COMMAND = "python -m jobs demo"


def demo_hint() -> html.P:
    """How to see the station without the internet: its labelled demo data."""
    return html.P(
        [
            "No internet? ",
            html.Code(DEMO_COMMAND),
            " fills every dataset with labelled demo data (",
            html.Code(f"{DEMO_COMMAND} --remove"),
            " takes it out again).",
        ],
        className="empty-state-hint",
    )


def empty_state(title: str = NO_DATA, message: str = "", hint: bool | None = None) -> html.Div:
    """A panel with nothing to show; a "no data yet" state (``hint``: by default when the
    title is :data:`NO_DATA`) also says how to get demo data."""
    parts = [html.H3(title), html.P(message)]
    if hint if hint is not None else title == NO_DATA:
        parts.append(demo_hint())
    return html.Div(parts, className="empty-state", role="status")


def stale_notice(age_seconds: float) -> html.Div:
    """Above a page served from the cache while the database cannot be reached."""
    return html.Div(
        [
            html.Strong("Database unreachable: "),
            f"showing the data as last stored, confirmed {format_age(age_seconds)} ago. "
            "The page shows newer data as soon as the database answers again.",
        ],
        className="stale-notice",
        role="status",
    )


def degraded_state(message: str) -> html.Div:
    """Shown instead of data when the database cannot answer."""
    return html.Div(
        [html.H3("Data temporarily unavailable"), html.P(message)],
        className="empty-state degraded",
        role="alert",
    )


# Errors that mean the source could not be reached at all (no network, DNS, a firewall), as
# datasources/http.py words them. A source whose circuit opened keeps the error that opened it.
_UNREACHABLE = ("connection failed", "timed out")
NAMES_SHOWN = 3


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def failing_sources_notice(health: pd.DataFrame, details_href: str | None = None) -> html.Div | None:
    """One line over a page whose sources failed: "23 sources unreachable (offline?): a, b, c
    and 20 more · details". Each distinct error is told once, in the line's tooltip, with the
    sources that hit it; ``details_href`` (the System page) has the rest. None when all is well."""
    failing = health[health["state"].isin(["failing", "circuit_open"])]
    if failing.empty:
        return None
    errors = failing["last_error"].fillna("failed").astype(str)
    unreachable = all(any(mark in e.lower() for mark in _UNREACHABLE) for e in errors)
    names = list(failing["source_id"].astype(str))
    more = len(names) - NAMES_SHOWN
    shown = ", ".join(names[:NAMES_SHOWN]) + (f" and {more} more" if more > 0 else "")
    what = "unreachable (offline?)" if unreachable else "failing"
    by_error: dict[str, list[str]] = {}
    for name, error in zip(names, errors, strict=True):
        by_error.setdefault(error, []).append(name)
    tooltip = "\n".join(f"{error}: {', '.join(group)}" for error, group in by_error.items())
    parts: list = [html.Strong(f"{_plural(len(names), 'source')} {what}"), f": {shown}"]
    if details_href:
        parts += [" · ", dcc.Link("details", href=details_href, className="alert-link")]
    return html.Div(
        parts,
        className="alert alert-warning failing-sources text-truncate py-2",
        role="alert",
        title=tooltip,
    )
