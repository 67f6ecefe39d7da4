"""`python -m jobs status [--wait-complete]`: the preload's status as the web reads it (cache,
else the database; a dead run's "running" reported as interrupted), and the gate docker
compose waits on before it starts the web: exit 0 once the data is complete.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime

from sql.preload_status import last_heard, preload_phase, preload_status


def _ago(stamp: datetime | None, now: datetime) -> str:
    if stamp is None:
        return "at an unknown time"
    return f"at {stamp:%Y-%m-%d %H:%M:%S} UTC ({max((now - stamp).total_seconds(), 0):.0f} s ago)"


def _run(status: dict) -> str:
    owner = status.get("owner") if isinstance(status.get("owner"), dict) else {}
    return f"run {status.get('run_id') or '?'} (host {owner.get('host', '?')}, pid {owner.get('pid', '?')})"


def _progress(status: dict) -> str:
    done, total = status.get("done"), status.get("total")
    return f"{done} of {total} instruments" if done is not None and total is not None else "progress unknown"


def describe(status: dict | None, phase: str, now: datetime | None = None) -> str:
    """One line saying where the preload stands, what happened and what comes next."""
    now = now or datetime.now(UTC)
    if phase == "unknown":
        return "preload status unknown: no preload has reported yet (neither the cache nor the database has one)"
    heard = last_heard(status)
    if phase == "interrupted":
        error = f", after {status['error']}" if status.get("error") else ""
        return (
            f"preload INTERRUPTED: {_run(status)} stopped after {_progress(status)}{error}; last heard of"
            f" {_ago(heard, now)}. The data is complete once the next preload or refresh has run."
        )
    if phase == "stalled":
        return (
            f"preload stalled: {_run(status)} holds the jobs lock but has reported nothing new since"
            f" {_ago(heard, now)}; check the sidecar's log"
        )
    if phase == "running":
        return f"preload running: {_run(status)}, {_progress(status)}, last heard of {_ago(heard, now)}"
    if status.get("completed_by") == "refresh":
        after = " after the preload was interrupted" if isinstance(status.get("interrupted"), dict) else ""
        return f"data complete: refresh {status.get('run_id')} completed it {_ago(heard, now)}{after}"
    if status.get("skipped"):
        return f"preload not needed: the stored data was fresh {_ago(heard, now)}"
    return f"preload complete: {_run(status)}, {_progress(status)}, finished {_ago(heard, now)}"


def status_command(wait_complete: bool) -> int:
    """Print the status (JSON on stdout, one line on stderr); with ``wait_complete`` exit 1
    unless the data is complete."""
    status = preload_status()
    phase = preload_phase(status)
    shown = {**(status or {}), "state": phase}
    if status and status.get("state") != phase:
        shown["stored_state"] = status.get("state")
    print(json.dumps(shown, indent=2, default=str))
    print(describe(status, phase), file=sys.stderr)
    return 0 if not wait_complete or phase == "complete" else 1
