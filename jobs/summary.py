"""What one download run did: every attempt, and the summary printed and cached after it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class Attempt:
    source_id: str
    dataset: str
    instrument: str
    started_at: datetime
    finished_at: datetime
    status: str  # ok | failed | not_configured | circuit_open
    http_status: int | None = None
    rows: int = 0
    latency_ms: float | None = None
    error: str | None = None
    revised_rows: int = 0  # older rows the provider revised, written with the new ones


@dataclass
class RunSummary:
    run_id: str
    kind: str
    started_at: datetime
    finished_at: datetime | None = None
    attempts: list[Attempt] = field(default_factory=list)
    rows_written: dict[str, int] = field(default_factory=dict)
    write_errors: dict[str, str] = field(default_factory=dict)
    instruments_total: int = 0
    instruments_ok: int = 0
    instruments_skipped: int = 0  # not due: a monthly series checked within the day, say
    requests: int = 0  # HTTP requests actually sent (a batch or a shared file counts once)

    @property
    def failures(self) -> list[Attempt]:
        return [a for a in self.attempts if a.status == "failed"]

    def failed_sources(self) -> dict[str, str]:
        """Sources whose every attempt in this run failed, with their last error."""
        by_source: dict[str, list[Attempt]] = {}
        for a in self.attempts:
            by_source.setdefault(a.source_id, []).append(a)
        return {
            s: next((a.error for a in reversed(attempts) if a.status == "failed"), None)
            or attempts[-1].error
            or "failed"
            for s, attempts in by_source.items()
            if all(a.status in ("failed", "circuit_open") for a in attempts)
        }

    def partly_failed_sources(self) -> dict[str, str]:
        """Sources some (not all) of whose attempts failed in this run: "2 of 8 instruments
        failed, last DGS10: FetchError: HTTP 500"."""
        by_source: dict[str, list[Attempt]] = {}
        for a in self.attempts:
            by_source.setdefault(a.source_id, []).append(a)
        failed = self.failed_sources()
        out = {}
        for source_id, attempts in by_source.items():
            failures = [a for a in attempts if a.status == "failed"]
            if failures and source_id not in failed:
                last = failures[-1]
                out[source_id] = (
                    f"{len(failures)} of {len(attempts)} instruments failed, last {last.instrument}: {last.error}"
                )
        return out

    def as_dict(self) -> dict:
        return {
            "run_id": self.run_id,
            "kind": self.kind,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "instruments_total": self.instruments_total,
            "instruments_ok": self.instruments_ok,
            "instruments_skipped": self.instruments_skipped,
            "requests": self.requests,
            "rows_written": self.rows_written,
            "failed_sources": self.failed_sources(),
            "write_errors": self.write_errors,
        }
