"""The preload, as the web shows it from the sidecar's ``preload:status`` (the shared cache, else
its ``sidecar_status`` row): the body of the /preload page (refreshed by an interval until the
data is complete) and the banner every other page shows while it runs or after it was
interrupted.

Callbacks are registered on each app by ``register_callbacks`` (not with ``dash.callback``,
whose process-wide list goes to whichever app serves first).
"""

from __future__ import annotations

from datetime import UTC, datetime

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, dcc, html

from components.cards import empty_state, format_age, kpi_text, panel
from config import theme
from sql.preload_status import last_heard, parse_time, preload_phase, preload_status

PRELOAD_PATH = "/preload"
PRELOAD_BANNER_ID = "preload-banner"
BODY_ID = "preload-body"
INTERVAL_ID = "preload-interval"

POLL_MS = 2_000
# No status yet, a stalled or an interrupted one: keep watching for a run to take over, less often.
IDLE_POLL_MS = 10_000

PHASE_BADGES = {
    "unknown": ("status unknown", "missing"),
    "running": ("running", "fresh"),
    "stalled": ("stalled", "very-stale"),
    "interrupted": ("interrupted", "very-stale"),
    "complete": ("complete", "fresh"),
}


def _count(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _when(value: datetime | None, now: datetime | None = None) -> str:
    if value is None:
        return "—"
    text = f"{value:%Y-%m-%d %H:%M:%S} UTC"
    return f"{text} ({format_age(max((now - value).total_seconds(), 0))} ago)" if now else text


def _silence(status: dict, now: datetime) -> str:
    """ " for 14 min": how long a stalled preload has said nothing (empty when unknown)."""
    last = parse_time(status.get("updated_at")) or parse_time(status.get("started_at"))
    return f" for {format_age(max((now - last).total_seconds(), 0))}" if last else ""


def _last_heard(status: dict, now: datetime) -> str:
    """ " (last heard of 3 min ago)" for an interrupted run (empty when unknown)."""
    last = last_heard(status)
    return f" (last heard of {format_age(max((now - last).total_seconds(), 0))} ago)" if last else ""


def _owner(status: dict) -> str:
    owner = status.get("owner") if isinstance(status.get("owner"), dict) else {}
    return f"{owner.get('host', '?')}, pid {owner.get('pid', '?')}"


def _duration(seconds: float | None) -> str:
    return "—" if seconds is None else format_age(max(seconds, 0))


def _details(rows: list[tuple[str, str]]) -> html.Dl:
    items = []
    for label, value in rows:
        items += [html.Dt(label, className="col-sm-3"), html.Dd(value, className="col-sm-9 num mb-1")]
    return html.Dl(items, className="row mb-0 preload-details")


def _bar(done: int, total: int, phase: str, failed: int) -> dbc.Progress:
    share = done / total if total else (1.0 if phase == "complete" else 0.0)
    live = phase == "running"
    color = {"running": theme.RED_LIGHT, "stalled": theme.DANGER, "interrupted": theme.DANGER}.get(phase, theme.SUCCESS)
    if phase == "complete" and failed:
        color = "#f0ad4e"  # amber: finished, with failures
    return dbc.Progress(
        id="preload-progress",
        value=done,
        max=max(total, 1),
        label=f"{share:.0%}",
        striped=live,
        animated=live,
        color=color,
        class_name=f"preload-progress {phase}",
    )


def _sources_link() -> html.P:
    return html.P(
        [
            "Every source's state, last error and the download log: ",
            dcc.Link("System: data sources & health", href="/system"),
            ".",
        ],
        className="mb-0",
    )


def _unknown() -> list:
    return [
        empty_state(
            "No preload status",
            "No preload has run yet, or neither the cache nor the database holds its status (status unknown)."
            " When the sidecar runs `python -m jobs preload` its progress shows here by itself.",
        ),
        html.Div(_sources_link(), className="mt-3"),
    ]


def _skipped(status: dict) -> list:
    finished = parse_time(status.get("finished_at"))
    return [
        html.Div(
            [
                html.Strong("No preload needed: "),
                f"the stored data was already loaded and fresh (as of {_when(finished)}).",
            ],
            className="alert alert-success",
            role="status",
        ),
        panel("Result", _sources_link(), badge=_badge("complete")),
    ]


def _badge(phase: str, failed: int = 0) -> html.Span:
    text, css = PHASE_BADGES[phase]
    if phase == "complete" and failed:
        text, css = "complete with failures", "stale"
    return html.Span(text, className=f"freshness-badge {css}", id="preload-state")


def _failures(status: dict) -> list:
    failed_sources = status.get("failed_sources")
    write_errors = status.get("write_errors")
    parts = []
    if isinstance(failed_sources, dict) and failed_sources:
        parts.append(
            panel(
                f"Failed sources ({len(failed_sources)})",
                html.Ul(
                    [
                        html.Li([html.Strong(source), ": ", html.Code(str(error))])
                        for source, error in sorted(failed_sources.items())
                    ],
                    className="preload-failures mb-0",
                ),
                panel_id="preload-failed-sources",
            )
        )
    if isinstance(write_errors, dict) and write_errors:
        parts.append(
            html.Div(
                [
                    html.Strong(f"{len(write_errors)} dataset(s) could not be stored: "),
                    "; ".join(f"{name} ({error})" for name, error in sorted(write_errors.items())),
                ],
                className="alert alert-danger",
                role="alert",
            )
        )
    return parts


def _progress(status: dict, phase: str, now: datetime) -> list:
    done, total, failed = (_count(status.get(k)) for k in ("done", "total", "failed"))
    done, total, failed = done or 0, total or 0, failed or 0
    started = parse_time(status.get("started_at"))
    updated = parse_time(status.get("updated_at"))
    finished = parse_time(status.get("finished_at"))
    complete = phase == "complete"
    ok = _count(status.get("ok"))
    end = finished if complete and finished else now
    elapsed = (end - started).total_seconds() if started else None
    parts: list = []

    if phase == "stalled":
        parts.append(
            html.Div(
                [
                    html.Strong("Stalled: "),
                    f"no progress reported{_silence(status, now)}. The sidecar may have stopped or be stuck:"
                    " check its logs (`docker compose logs scheduler`). A new preload replaces this status.",
                ],
                className="alert alert-danger",
                role="alert",
                id="preload-stalled",
            )
        )
    if phase == "interrupted":
        parts.append(_interrupted_notice(status, now))
    if complete:
        ok_text = f"{ok} of {total} instruments OK" if ok is not None else f"{total} instruments processed"
        done_by = "Refresh completed the data" if status.get("completed_by") == "refresh" else "Preload complete"
        if failed:
            summary = [html.Strong(f"{done_by} with {failed} failed source(s): "), f"{ok_text}."]
        else:
            summary = [html.Strong(f"{done_by}: "), f"{ok_text}, no source failed."]
        if isinstance(status.get("interrupted"), dict):
            summary.append(" The preload before it had been interrupted; this refresh downloaded what it missed.")
        parts.append(
            html.Div(
                summary,
                className=f"alert {'alert-warning' if failed else 'alert-success'}",
                role="status",
                id="preload-result",
            )
        )

    percent = f"{done / total:.0%}" if total else "—"
    bar_text = f"{done} of {total} instruments ({percent})"
    parts.append(
        panel(
            "Progress",
            _bar(done, total, phase, failed),
            html.Div(bar_text, className="preload-progress-text num"),
            badge=_badge(phase, failed),
        )
    )

    cards = [kpi_text("Instruments done", f"{done} / {total}"), kpi_text("Failed sources", str(failed))]
    if complete:
        rows = status.get("rows_written")
        written = sum(v for v in rows.values() if isinstance(v, int)) if isinstance(rows, dict) else None
        cards += [
            kpi_text("Instruments OK", "—" if ok is None else f"{ok} / {total}"),
            kpi_text("Duration", _duration(elapsed)),
            kpi_text("Rows written", "—" if written is None else f"{written:,}"),
        ]
    else:
        remaining = None
        if phase == "running" and started and 0 < done < total:
            remaining = elapsed / done * (total - done)
        cards += [
            kpi_text("Elapsed", _duration(elapsed)),
            kpi_text("Remaining", "—" if remaining is None else f"≈ {_duration(remaining)}", "estimate"),
        ]
    parts.append(html.Div(cards, className="kpi-row"))

    if complete:
        parts += _failures(status)
        rows = [("Started", _when(started)), ("Finished", _when(finished))]
        if status.get("run_id"):
            rows.append(("Run", str(status["run_id"])))
        parts.append(panel("Details", _details(rows), _sources_link()))
    else:
        rows = [
            ("Current", str(status.get("current") or "starting…")),
            ("Started", _when(started, now)),
            ("Last update", _when(updated, now)),
        ]
        if phase == "interrupted":
            rows += [("Last heard of", _when(last_heard(status), now)), ("Sidecar", _owner(status))]
        parts.append(panel("Details", _details(rows)))
    return parts


def _interrupted_notice(status: dict, now: datetime) -> html.Div:
    error = f" It ended on an error: {status['error']}." if status.get("error") else ""
    return html.Div(
        [
            html.Strong("Interrupted: "),
            f"the sidecar running this preload ({_owner(status)}) stopped before it finished{_last_heard(status, now)}"
            f" — it was stopped, killed or crashed.{error} What it stored is served meanwhile; the next refresh"
            " (at the top of the hour) or preload completes the data and replaces this status.",
        ],
        className="alert alert-danger",
        role="alert",
        id="preload-interrupted",
    )


def view(status: dict | None, now: datetime | None = None) -> tuple[list, bool, int]:
    """The page body for ``status``, whether the interval is off, and its period (ms)."""
    now = now or datetime.now(UTC)
    phase = preload_phase(status, now)
    if phase == "unknown":
        return _unknown(), False, IDLE_POLL_MS
    if phase == "complete" and status.get("skipped"):
        return _skipped(status), True, POLL_MS
    body = _progress(status, phase, now)
    return body, phase == "complete", POLL_MS if phase == "running" else IDLE_POLL_MS


def refresh(_n_intervals=None) -> tuple[list, bool, int]:
    """The interval's callback: re-read the status (a cache get, see sql/preload_status.py); once the
    data is complete the interval stops."""
    return view(preload_status())


def preload_banner(status: dict | None, now: datetime | None = None) -> html.Div | None:
    """A one-line notice linking to the preload page while a preload runs (or seems stalled),
    or after it was interrupted."""
    now = now or datetime.now(UTC)
    phase = preload_phase(status, now)
    if phase not in ("running", "stalled", "interrupted"):
        return None
    link = dcc.Link("View progress", href=PRELOAD_PATH)
    if phase == "interrupted":
        text = (
            f"Preload interrupted{_last_heard(status, now)}: data may be incomplete until the next refresh"
            " completes it. "
        )
        return html.Div(
            [text, dcc.Link("Details", href=PRELOAD_PATH)], className="preload-banner stalled", role="status"
        )
    if phase == "stalled":
        text = f"Preload stalled: no progress reported{_silence(status, now)}; the sidecar may have stopped. "
        return html.Div([text, link], className="preload-banner stalled", role="status")
    done, total, failed = (_count(status.get(k)) for k in ("done", "total", "failed"))
    figures = f": {done} of {total} instruments" if done is not None and total is not None else ""
    failures = f", {failed} failed source(s) so far" if failed else ""
    text = f"Preload running{figures}{failures}. Data may be incomplete until it finishes. "
    return html.Div([text, link], className="preload-banner", role="status")


def banner_for_page(pathname: str | None) -> html.Div | None:
    """On every navigation: the banner from a fresh read (a cache get); none on /preload itself."""
    if "/" + (dash.strip_relative_path(pathname or "/") or "") == PRELOAD_PATH:
        return None
    return preload_banner(preload_status())


def register_callbacks(app: dash.Dash) -> None:
    app.callback(
        Output(BODY_ID, "children"),
        Output(INTERVAL_ID, "disabled"),
        Output(INTERVAL_ID, "interval"),
        Input(INTERVAL_ID, "n_intervals"),
        prevent_initial_call=True,
    )(refresh)
    # The layout carries the banner of the page it is drawn for (app_layout): only navigating
    # asks again, not every page load.
    app.callback(
        Output(PRELOAD_BANNER_ID, "children"), Input("_pages_location", "pathname"), prevent_initial_call=True
    )(banner_for_page)
