"""The data-access audit log: one record per data access (``/api/*``, ``/csv/*``, ``/zoom/*``,
page views, Dash callbacks) on the logger ``spartan.audit``, its fields as ``extra``; also
appended as a JSON line to ``SPARTAN_AUDIT_LOG`` when that is set. On a terminal (the text log
format) the console shows one line per request, the access line, and the audit records go to
that file, ``var/audit.jsonl`` by default. With ``SPARTAN_AUTH=local`` each record carries the
user's id and name (None: anonymous, refused), and the API token's id when one was used.
Secret-looking query parameters are redacted (middleware/redaction.py); request headers other
than the user agent are never recorded."""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import time
import weakref
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, g, request, request_finished

from config.logging_setup import resolve_format
from config.settings import Settings
from middleware.redaction import clean, redact_query
from middleware.request_classes import audit_kind

# The logger names the records have always carried (this code lived in api/security.py).
log = logging.getLogger("api.security")
audit_log = logging.getLogger("spartan.audit")

USER_AGENT_MAX = 200
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


class _Datasets:
    """Which dataset(s) a request reads, where that is known: dashboards' panels from the
    dashboard definitions (read once), the ``?dataset=`` of detail pages, API paths by name."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pages: dict[str, str] | None = None
        self._panels: dict[tuple[str, str], str] = {}

    def _load(self) -> dict[str, str]:
        with self._lock:
            if self._pages is None:
                pages: dict[str, str] = {}
                try:
                    from config.dashboard_specs import load_dashboards

                    for board in load_dashboards().values():
                        names = sorted({p.dataset for p in board.panels if p.dataset})
                        pages[board.path.rstrip("/") or "/"] = ",".join(names)
                        for panel in board.panels:
                            if panel.dataset:
                                self._panels[(board.id, panel.id)] = panel.dataset
                                # /embed/ takes the page's path as well as the id (pages/embed.py)
                                self._panels.setdefault((board.path.strip("/"), panel.id), panel.dataset)
                except Exception:  # noqa: BLE001 - the audit record goes without the dataset
                    log.exception("dashboard definitions unreadable; audit records carry no dataset")
                self._pages = pages
            return self._pages

    def for_page(self, path: str) -> str | None:
        pages = self._load()
        if path.startswith("/embed/"):
            parts = path.strip("/").split("/")
            return self._panels.get(("/".join(parts[1:-1]), parts[-1])) if len(parts) >= 3 else None
        return pages.get(path.rstrip("/") or "/") or None

    def for_panel(self, dashboard: str, panel: str) -> str | None:
        self._load()
        return self._panels.get((dashboard, panel))

    @staticmethod
    def for_api(path: str) -> str | None:
        """The dataset an API path names (``/api/market/indices`` → market_indices), if one."""
        from sql.datasets import DATASETS

        for segment in reversed(path.strip("/").split("/")[1:]):
            segment = segment.lower().replace("-", "_")
            if segment in DATASETS:
                return segment
            named = [n for n in DATASETS if n.startswith(segment + "_") or n.endswith("_" + segment)]
            if len(named) == 1:
                return named[0]
        return None


def _known_dataset(name: object) -> str | None:
    from sql.datasets import DATASETS

    return name if isinstance(name, str) and name in DATASETS else None


def _callback_fields(datasets: _Datasets) -> dict[str, Any]:
    """What a Dash callback request was about: its output, and the page when it is the pages
    router (the callback that renders a page's content from the URL)."""
    body = request.get_json(silent=True, cache=True)
    if not isinstance(body, dict):
        return {}
    fields: dict[str, Any] = {"output": clean(body.get("output", ""), 300)}
    url: dict[str, str] = {}
    # Any JSON may come here (a malformed request is refused, but audited too).
    lists = [body.get(name) for name in ("inputs", "state")]
    for item in [item for items in lists if isinstance(items, list) for item in items]:
        if isinstance(item, dict) and item.get("property") in ("pathname", "search"):
            url[item["property"]] = str(item.get("value") or "")
    if url.get("pathname"):
        fields.update(_page_fields(url["pathname"], url.get("search", ""), datasets))
    return fields


def _page_fields(page: str, search: str, datasets: _Datasets) -> dict[str, Any]:
    """The page a callback or the layout drew: its path, query and datasets."""
    from urllib.parse import parse_qs

    query = parse_qs(search.lstrip("?"), keep_blank_values=True)
    return {
        "page": clean(page),
        "page_query": redact_query({k: v[0] if len(v) == 1 else v for k, v in query.items()}),
        "dataset": _known_dataset(query.get("dataset", [None])[0]) or datasets.for_page(page),
    }


def _request_id() -> str | None:
    """The request's id: the logging context's (config/logging_setup.py), else the client's."""
    try:
        from config.logging_setup import current_request_id
    except ImportError:  # a logging setup without request ids
        value = None
    else:
        value = current_request_id()
    value = value or g.get("request_id") or request.headers.get("X-Request-ID")
    return value if isinstance(value, str) and _REQUEST_ID.fullmatch(value) else None


def audit_record(response: Response, datasets: _Datasets) -> dict[str, Any] | None:
    """The audit record of the current request, or None when it reads no data."""
    kind = audit_kind(request.path, request.method)
    drawn = g.get("spartan_drawn_page")  # (path, query) of the page drawn into the layout
    if kind is None or (kind == "layout" and not drawn):
        return None  # a layout without a page is the app's skeleton: no data
    started = g.get("spartan_started")
    record: dict[str, Any] = {
        "event": "data_access",
        "kind": kind,
        "accessed_at": datetime.fromtimestamp(started[0] if started else time.time(), UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z"),
        "client_ip": request.remote_addr,
        "user_agent": clean(request.user_agent.string, USER_AGENT_MAX) if request.user_agent.string else None,
        "method": request.method,
        "path": clean(request.path, 500),
        "query": redact_query(request.args),
        "status": response.status_code,
        "bytes": response.content_length,
        "duration_ms": round((time.perf_counter() - started[1]) * 1000, 2) if started else None,
        "dataset": None,
    }
    if g.get("spartan_auth"):  # SPARTAN_AUTH=local (middleware/auth.py): who it was, if anyone
        user = g.get("spartan_user")
        record["user_id"] = user.id if user is not None else None
        record["user"] = user.username if user is not None else None
        if g.get("spartan_token_id") is not None:
            record["token_id"] = g.spartan_token_id
        if g.get("spartan_embed_link") is not None:  # opened by a signed embed link, no session
            record["embed_link_id"] = g.spartan_embed_link
    request_id = _request_id()
    if request_id:  # left out otherwise, so a logging context's own request_id shows
        record["request_id"] = request_id
    view_args = request.view_args or {}
    if kind == "callback":
        record.update(_callback_fields(datasets))
    elif kind == "layout":
        record.update(_page_fields(*drawn, datasets))
    else:
        if kind in ("csv", "zoom") and {"dashboard", "panel"} <= view_args.keys():
            record["dataset"] = datasets.for_panel(view_args["dashboard"], view_args["panel"])
        if kind in ("api", "csv", "zoom") and view_args:
            record["target"] = {k: clean(v, 100) for k, v in view_args.items()}
        record["dataset"] = (
            _known_dataset(g.get("audit_dataset"))  # an endpoint may say what it read
            or _known_dataset(view_args.get("dataset"))
            or _known_dataset(request.args.get("dataset"))
            or record["dataset"]
            or (datasets.for_api(request.path) if kind == "api" else None)
            or (datasets.for_page(request.path) if kind == "page" else None)
        )
    return record


def write_event(record: Mapping[str, Any], message: str) -> None:
    """An audit record that is no request's data access (a login, a user administered): on the
    logger ``spartan.audit`` and in the audit file of the app, the same sinks as data access."""
    audit_log.info("%s", message, extra=dict(record))
    sink = current_app.extensions.get("spartan_audit_file")
    if sink is not None:
        sink.write(record)


class AuditFile:
    """An append-only JSON-lines file; each record is one ``write`` on an ``O_APPEND``
    descriptor, so lines of several workers never interleave."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)

    def write(self, record: Mapping[str, Any]) -> None:
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=str) + "\n"
        os.write(self._fd, line.encode("utf-8"))

    def close(self) -> None:
        os.close(self._fd)


def audit_path(settings: Settings) -> Path | None:
    """Where the audit records are appended: ``SPARTAN_AUDIT_LOG``; on a terminal, where the
    text log leaves them out (one line per request there), ``var/audit.jsonl`` by default."""
    if settings.audit_log:
        return settings.audit_log
    return settings.var_dir / "audit.jsonl" if resolve_format(settings.log_format) == "text" else None


def install(server: Flask, settings: Settings) -> None:
    datasets = _Datasets()
    path = audit_path(settings)
    sink = AuditFile(path) if path else None
    if sink is not None:
        weakref.finalize(server, sink.close)
    server.extensions["spartan_audit_file"] = sink
    # An audit trail wants every record whatever SPARTAN_LOG_LEVEL quiets elsewhere.
    audit_log.setLevel(logging.INFO)

    def start() -> None:
        g.spartan_started = (time.time(), time.perf_counter())

    def finished(sender: Flask, response: Response, **_: Any) -> None:
        try:
            record = audit_record(response, datasets)
            if record is None:
                return
            query = "&".join(f"{k}={v}" for k, v in record["query"].items())
            audit_log.info(
                "%s %s %s%s -> %s (%s bytes) client=%s",
                record["kind"],
                record["method"],
                record["path"],
                f"?{query}" if query else "",
                record["status"],
                record["bytes"],
                record["client_ip"],
                extra=record,
            )
            if sink is not None:
                sink.write(record)
        except Exception:  # noqa: BLE001 - a failed audit record must not fail the request
            log.exception("audit record of %s %s failed", request.method, clean(request.path))

    server.before_request(start)
    # request_finished sees the response as sent (compressed, with its final status), errors too.
    request_finished.connect(finished, server, weak=False)
