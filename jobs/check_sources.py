"""``python -m jobs check-sources``: is every source of the catalog reachable, and does its parser
still read what it answers? One check per source (each catalogued endpoint of a provider is a
source of its own: CBOE's index histories, option quotes and option chains are three), through
the same connectors, fetcher and HTTP client as a download run, with keys from the environment
as the fetcher takes them; a keyed source without a key is "not configured", not a failure.

Each source is asked for its representative instrument (the first of the catalog it serves)
over a short recent range: the span in which that instrument's freshness target wants an
observation (config/freshness.py), a week's margin before it; a year when its frequency is
only known from stored data. What it answers is parsed and validated as a download would be.

``--record DIR`` keeps each answered body with its metadata (URL and headers with API keys
redacted, source, provider, symbol, status, content type, fetch time) as a recorded sample;
``SPARTAN_RECORDED_SAMPLES=DIR pytest tests/unit/providers/test_recorded_samples.py`` then runs
every recording through its connector's parser again (:func:`verify_recording`).

Nothing is written to the database: the command needs none.
"""

from __future__ import annotations

import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pandas as pd

from config.catalog import Catalog, Instrument, Source
from config.freshness import min_latest_observation
from config.logging_setup import redact
from config.settings import Settings
from datasources.base import (
    Connector,
    FetchError,
    FetchTimeout,
    HttpRequest,
    ParseError,
    key_parts,
    parse_responses,
    reads_together,
)
from datasources.fetcher import Fetcher
from datasources.http import FetchResult, HttpClient
from datasources.registry import CONNECTORS
from datasources.validate import ValidationError, validate_bars, validate_observations, validate_rows

OK = "ok"
FAILED = ("http error", "timeout", "connection error", "parse error", "invalid", "empty", "no connector")
NOT_CONFIGURED = "not configured"
UNUSED = "unused"  # a source that serves no instrument of the catalog: nothing to ask
REDACTED = "REDACTED"
# The recent range when the instrument's frequency is only known from stored data (inferred).
UNKNOWN_FREQUENCY_DAYS = 400
MARGIN = timedelta(days=7)
MIN_RANGE = timedelta(days=10)
# Parameter and header names that carry credentials (besides a request's own ``key_param``).
SECRET_NAMES = ("key", "token", "secret", "password", "passwd", "auth", "signature", "session", "cookie")
DATE_COLUMNS = ("ts", "date")


@dataclass
class SourceCheck:
    source: str
    provider: str
    endpoint: str | None
    dataset: str | None
    instrument: str | None
    symbol: str | None
    status: str
    latency_ms: float | None = None
    rows: int | None = None
    first_date: str | None = None
    last_date: str | None = None
    message: str = ""
    url: str | None = None  # redacted
    recorded: list[str] | None = None

    @property
    def failed(self) -> bool:
        return self.status in FAILED


class EmptyResult(ValidationError):
    """The body parsed, but holds no rows for the range asked."""


# --- choosing what to ask --------------------------------------------------------------------------


def representative(catalog: Catalog, source_id: str) -> tuple[Instrument, str] | None:
    """The first instrument of the catalog that ``source_id`` serves, and its symbol there."""
    for inst in catalog.instruments:
        for provider in inst.providers:
            if provider.source == source_id:
                return inst, provider.symbol
    return None


def recent_since(catalog: Catalog, inst: Instrument, now: datetime) -> date:
    """The start of a short recent range in which the instrument should have observations."""
    target = inst.freshness or catalog.target(inst.dataset)
    _, floor = min_latest_observation(target, now)
    today = now.astimezone(UTC).date()
    if floor is None:
        return today - timedelta(days=UNKNOWN_FREQUENCY_DAYS)
    return min(floor, today - MIN_RANGE) - MARGIN


# --- redaction -------------------------------------------------------------------------------------


def environment_keys(fetcher: Fetcher, source: Source, env=None) -> list[str]:
    """Every key in the source's environment variable (as the fetcher reads them), and both
    halves of a ``KEYID:SECRET`` key (each travels alone in its own header)."""
    env = os.environ if env is None else env
    name = fetcher.auth_env(source)
    keys = [k.strip() for k in env.get(name, "").split(",") if k.strip()] if name else []
    return [part for key in keys for part in key_parts(key)]


def _secret_name(name: str) -> bool:
    lowered = name.lower()
    return any(part in lowered for part in SECRET_NAMES)


def _scrub(text: str, keys: list[str]) -> str:
    for key in sorted(keys, key=len, reverse=True):
        text = text.replace(key, REDACTED)
    return redact(text)


def redacted_request(request: HttpRequest, keys: list[str]) -> tuple[str, dict[str, str], dict[str, str]]:
    """The request's full URL, its parameters and headers, with every API key replaced: the
    ``key_param``, the ``key_headers``, parameters and headers named like credentials, and any
    key's value anywhere."""
    params = {
        name: REDACTED if name == request.key_param or (_secret_name(name) and value) else _scrub(str(value), keys)
        for name, value in request.params.items()
    }
    headers = {
        name: REDACTED if name in request.key_headers or _secret_name(name) else _scrub(str(v), keys)
        for name, v in request.headers.items()
    }
    url = _scrub(request.url, keys)
    if params:
        url += ("&" if urlsplit(url).query else "?") + urlencode(params, safe=":,/")
    return url, params, headers


# --- parsing as a download would -------------------------------------------------------------------


def parse_checked(
    connector: Connector, body: bytes | list[bytes], symbol: str, dataset: str, max_jump: float
) -> pd.DataFrame:
    """``body`` parsed by ``connector`` and validated as the download run does: ParseError
    (or any error of a parser that did not expect the body), ValidationError, EmptyResult.
    A list of bodies: every answer of a connector that reads its requests together."""
    frame = parse_responses(connector, body, symbol)[0] if isinstance(body, list) else connector.parse(body, symbol)
    if not isinstance(frame, pd.DataFrame):
        raise ParseError(f"the parser returned {type(frame).__name__}, not a frame")
    if connector.kind == "bars":
        frame = validate_bars(frame, symbol, max_jump)
    elif connector.kind == "rows":
        frame = validate_rows(dataset, frame, symbol)
    else:
        frame = validate_observations(frame, symbol)
    if frame.empty:
        raise EmptyResult(f"{symbol}: parsed, but no rows in the range asked")
    return frame


def _dates(frame: pd.DataFrame) -> tuple[str | None, str | None]:
    column = next((c for c in DATE_COLUMNS if c in frame.columns), None)
    if column is None or frame.empty:
        return None, None
    values = pd.to_datetime(frame[column], utc=column == "ts")
    return values.min().date().isoformat(), values.max().date().isoformat()


def _status_of(exc: BaseException) -> str:
    if isinstance(exc, FetchTimeout):
        return "timeout"
    if isinstance(exc, FetchError):
        return "http error" if exc.http_status else "connection error"
    if isinstance(exc, EmptyResult):
        return "empty"
    if isinstance(exc, ValidationError):
        return "invalid"
    return "parse error"


# --- one source ------------------------------------------------------------------------------------


@dataclass
class Checker:
    catalog: Catalog
    settings: Settings
    fetcher: Fetcher
    record_dir: Path | None = None
    now: datetime | None = None

    def check(self, source: Source) -> SourceCheck:
        connector = CONNECTORS.get(source.provider)
        chosen = representative(self.catalog, source.id)
        if connector is None:
            why = f"no connector answers to provider {source.provider!r}"
            return SourceCheck(source.id, source.provider, None, None, None, None, "no connector", message=why)
        if chosen is None:
            return SourceCheck(
                source.id, source.provider, None, None, None, None, UNUSED, message="serves no instrument"
            )
        inst, symbol = chosen
        result = SourceCheck(source.id, source.provider, None, inst.dataset, inst.key, symbol, NOT_CONFIGURED)
        if not self.fetcher.is_configured(source):
            result.message = f"{self.fetcher.auth_env(source)} is not set"
            return result
        now = self.now or datetime.now(UTC)
        since = recent_since(self.catalog, inst, now)
        keys = environment_keys(self.fetcher, source)
        requests = connector.build_requests(source.base_url, symbol, since, self.fetcher.api_key(source.id))
        frames, latency, recorded = [], 0.0, []
        together, bodies, parts = reads_together(connector), [], []
        try:
            for n, request in enumerate(requests, start=1):
                url, params, headers = redacted_request(request, keys)
                result.url = url
                result.endpoint = urlsplit(url).path or "/"
                fetched = self.fetcher.fetch(source, request)
                latency += fetched.latency_ms
                result.latency_ms = round(latency, 1)
                if together and n < len(requests):  # parsed with the last answer
                    bodies.append(fetched.body)
                    parts.append(self._record(result, n, fetched, url, params, headers, keys, since, None, recorded))
                    continue
                payload = [*bodies, fetched.body] if together else fetched.body
                whole = parts if together else None
                try:
                    frames.append(parse_checked(connector, payload, symbol, inst.dataset, self.settings.max_daily_jump))
                except Exception as exc:
                    self._record(result, n, fetched, url, params, headers, keys, since, exc, recorded, whole)
                    raise
                self._record(result, n, fetched, url, params, headers, keys, since, None, recorded, whole)
        except Exception as exc:  # noqa: BLE001 - a connector's bug is this source's failure, reported
            result.status = _status_of(exc)
            named = isinstance(exc, FetchError | ParseError | ValidationError)
            # An error body may echo the key it refused: scrubbed like the URL.
            result.message = _scrub(str(exc) if named else f"{type(exc).__name__}: {exc}", keys)
        else:
            frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
            result.status, result.rows = OK, len(frame)
            result.first_date, result.last_date = _dates(frame)
            result.message = f"{connector.kind}: {len(frame)} rows parsed and valid"
        result.recorded = recorded or None
        return result

    def _record(
        self,
        result: SourceCheck,
        n: int,
        fetched: FetchResult,
        url: str,
        params: dict,
        headers: dict,
        keys: list[str],
        since: date,
        error: BaseException | None,
        recorded: list[str],
        earlier: list[str | None] | None = None,
    ) -> str | None:
        """Keep an answered body and what it answered as a recorded sample; its body's file
        name. For a connector that reads its requests together, the answers before the last
        are recorded as parts (``part``) and the last names them all (``bodies``, in order)."""
        if self.record_dir is None:
            return None
        together = reads_together(CONNECTORS[result.provider])
        stem = f"{result.source}-{n}"
        body = fetched.body
        for key in keys:
            body = body.replace(key.encode(), REDACTED.encode())
        (self.record_dir / f"{stem}{_suffix(fetched.content_type, body)}").write_bytes(body)
        meta = {
            "source": result.source,
            "provider": result.provider,
            "dataset": result.dataset,
            "instrument": result.instrument,
            "symbol": result.symbol,
            "url": url,
            "params": params,
            "headers": headers,
            "since": since.isoformat(),
            "status": OK if error is None else _status_of(error),
            "message": None if error is None else _scrub(str(error), keys),
            "http_status": fetched.http_status,
            "content_type": fetched.content_type,
            "fetched_at": datetime.now(UTC).isoformat(),
            "body": f"{stem}{_suffix(fetched.content_type, body)}",
            "bytes": len(body),
        }
        if together and earlier is None:
            meta["part"] = True
        elif earlier is not None:
            meta["bodies"] = [*earlier, meta["body"]]
        (self.record_dir / f"{stem}.meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
        recorded.append(f"{stem}.meta.json")
        return meta["body"]


def _suffix(content_type: str | None, body: bytes) -> str:
    kind = (content_type or "").lower()
    for marker, suffix in (("json", ".json"), ("csv", ".csv"), ("xml", ".xml"), ("html", ".html")):
        if marker in kind:
            return suffix
    start = body.lstrip()[:1]
    return {b"{": ".json", b"[": ".json", b"<": ".xml"}.get(start, ".txt")


# --- recorded samples ------------------------------------------------------------------------------


def recordings(directory: Path) -> list[Path]:
    """The metadata files of the recorded samples in ``directory`` (not those of the parts of
    an answer read together: the last part's metadata names them)."""
    return sorted(p for p in directory.glob("*.meta.json") if not json.loads(p.read_text(encoding="utf-8")).get("part"))


def verify_recording(meta_path: Path, max_jump: float = 0.5) -> pd.DataFrame:
    """A recorded sample run through its connector's parser and the download's validation:
    the frame, or the error that says why not (ParseError, ValidationError, EmptyResult)."""
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    connector = CONNECTORS.get(meta["provider"])
    if connector is None:
        raise LookupError(f"{meta_path.name}: no connector for provider {meta['provider']!r}")
    if meta.get("bodies"):
        bodies = [(meta_path.parent / name).read_bytes() for name in meta["bodies"]]
        return parse_checked(connector, bodies, meta["symbol"], meta["dataset"], max_jump)
    body = (meta_path.parent / meta["body"]).read_bytes()
    return parse_checked(connector, body, meta["symbol"], meta["dataset"], max_jump)


# --- the command -----------------------------------------------------------------------------------

COLUMNS = (
    ("source", 22),
    ("endpoint", 44),
    ("status", 16),
    ("latency_ms", 10),
    ("rows", 6),
    ("first_date", 10),
    ("last_date", 10),
    ("message", 0),
)


def _cell(value, width: int) -> str:
    text = "" if value is None else f"{value:.0f}" if isinstance(value, float) else str(value)
    if width and len(text) > width:
        text = "…" + text[-(width - 1) :]
    return text.ljust(width) if width else text


def print_table(checks: list[SourceCheck], out=None) -> None:
    out = out or sys.stdout
    print("  ".join(_cell(name.replace("_", " "), width) for name, width in COLUMNS).rstrip(), file=out)
    for check in checks:
        row = asdict(check)
        print("  ".join(_cell(row[name], width) for name, width in COLUMNS).rstrip(), file=out)
    counts: dict[str, int] = {}
    for check in checks:
        counts[check.status] = counts.get(check.status, 0) + 1
    print("\n" + ", ".join(f"{n} {status}" for status, n in sorted(counts.items())), file=out)


def check_sources(
    catalog: Catalog,
    settings: Settings,
    only: list[str] | None = None,
    timeout: float | None = None,
    record_dir: Path | None = None,
    as_json: bool = False,
    out=None,
) -> int:
    """Check ``only`` these sources (default: all); 0 when every configured source worked,
    1 when one failed, 2 for a source id the catalog does not have."""
    out = out or sys.stdout
    unknown = sorted(set(only or ()) - set(catalog.sources))
    if unknown:
        print(
            f"unknown source(s): {', '.join(unknown)}; the catalog has: {', '.join(catalog.sources)}", file=sys.stderr
        )
        return 2
    # One request per source, as it answers now: no retries, the timeout asked for.
    settings = replace(settings, http_retries=0, **({"http_timeout": timeout} if timeout else {}))
    sources = [s for s in catalog.sources.values() if not only or s.id in only]
    fetcher = Fetcher(HttpClient(settings), {s.id: s for s in sources}, settings.rate_limit_multiplier)
    if record_dir is not None:
        record_dir.mkdir(parents=True, exist_ok=True)
    checker = Checker(catalog, settings, fetcher, record_dir)
    with ThreadPoolExecutor(max_workers=max(1, settings.workers), thread_name_prefix="check") as pool:
        checks = list(pool.map(checker.check, sources))
    if as_json:
        print(json.dumps([asdict(c) for c in checks], indent=2), file=out)
    else:
        print_table(checks, out)
    return 1 if any(c.failed for c in checks) else 0
