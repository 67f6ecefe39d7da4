"""How much of a download is new, and how deep a series' history goes.

Incremental refresh of providers that always send everything (CBOE's index CSVs, a Treasury
year file, FRED's fredgraph.csv, alternative.me's whole index, the ECB's XML file…): a body
holding rows older than the refresh's ``since`` is split there. The rows from ``since`` on are
validated and written as any download's; the older ones are compared with what is stored, in
one indexed read of the series, and only those the provider revised are written with them
(counted in ``download_log.revised_rows``). The unchanged history is never written again.

History depth: a first download asks for :data:`datasources.wire.BACKFILL_DAYS` (five years);
what the provider served is recorded per series in ``instrument_history`` with the reason the
history starts where it does (the provider serves a fixed window, the instrument was listed
then, the endpoint is a snapshot…).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import Connection, select

from datasources.wire import BACKFILL_DAYS
from sql.datasets import DatasetSpec
from sql.schema import instrument_history, table
from sql.write import observation_dates

# A series whose first date is within this of the depth asked for has the full depth (the
# first days of the window may be a weekend or a holiday; a weekly series starts on its day).
DEPTH_GRACE = timedelta(days=14)
# Stored and downloaded values are the same number when this close (both come from the same
# decimal text; the margin only absorbs a backend's float formatting).
RELATIVE_TOLERANCE = 1e-9


def depth_start(today: date | None = None) -> date:
    """The first date a full-depth download asks for (:data:`BACKFILL_DAYS` before today)."""
    return (today or datetime.now(UTC).date()) - timedelta(days=BACKFILL_DAYS)


def date_column(spec: DatasetSpec) -> str:
    return "ts" if spec.kind == "bars" else "date"


def join_pages(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The pages of one download as one frame. Pages meant to meet without overlapping can
    still share a bar (Coinbase may answer candles just before a range's start): at a seam the
    later page's row is kept, so the joined history has each date once."""
    if len(frames) == 1:
        return frames[0]
    joined = pd.concat(frames, ignore_index=True)
    if "ts" in joined.columns:
        subset = ["symbol", "ts"] if "symbol" in joined.columns else ["ts"]
    elif {"series_id", "date"} <= set(joined.columns):
        subset = ["series_id", "date"]
    else:  # rows of a dataset's own shape (an option-chain snapshot): pages do not overlap
        return joined
    return joined.drop_duplicates(subset=subset, keep="last").reset_index(drop=True)


def split_at(spec: DatasetSpec, frame: pd.DataFrame, since: date | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``frame`` split into the rows dated from ``since`` on and those before it (none without
    a ``since``: a first download keeps all it got; none for a dataset of rows)."""
    column = date_column(spec)
    if since is None or spec.kind == "rows" or frame.empty or column not in frame.columns:
        return frame, frame.iloc[:0]
    older = (observation_dates(frame[column]) < since).to_numpy(dtype=bool)
    if not older.any():
        return frame, frame.iloc[:0]
    return frame[~older].reset_index(drop=True), frame[older].reset_index(drop=True)


def _value_columns(spec: DatasetSpec, frame: pd.DataFrame) -> list[str]:
    columns = table(spec.table).c
    names = ["open", "high", "low", "close", "volume"] if spec.kind == "bars" else ["value", "label", "unit"]
    return [n for n in names if n in columns and n in frame.columns]


def _stored(conn: Connection, spec: DatasetSpec, key: str, first: date, since: date, values: list[str]) -> pd.DataFrame:
    """The stored rows of series ``key`` dated from ``first`` to before ``since``: one read by
    the table's primary key (its key column, then its date)."""
    tbl = table(spec.table)
    when = tbl.c[date_column(spec)]
    if spec.kind == "bars":
        lo, hi = (datetime.combine(d, time(), tzinfo=UTC) for d in (first, since))
    else:
        lo, hi = first, since
    columns = [when, *(tbl.c[v] for v in values), tbl.c.source]
    stmt = select(*columns).where(tbl.c[spec.key_column] == key, when >= lo, when < hi)
    if "interval" in tbl.c:
        stmt = stmt.where(tbl.c.interval == "1d")
    rows = conn.execute(stmt).all()
    stored = pd.DataFrame(rows, columns=["day", *values, "source"])
    stored["day"] = observation_dates(stored["day"]) if len(stored) else pd.Series(dtype=object)
    return stored


def _differs(new: pd.Series, old: pd.Series) -> np.ndarray:
    """Per row: whether the downloaded value is another than the stored one (both missing: the
    same). Numbers compare within :data:`RELATIVE_TOLERANCE`, text exactly."""
    if pd.api.types.is_numeric_dtype(new) or pd.api.types.is_numeric_dtype(old):
        a = pd.to_numeric(new, errors="coerce").to_numpy(dtype=float)
        b = pd.to_numeric(old, errors="coerce").to_numpy(dtype=float)
        both_missing = np.isnan(a) & np.isnan(b)
        return ~(both_missing | np.isclose(a, b, rtol=RELATIVE_TOLERANCE, atol=0.0))
    a, b = new.astype(object).where(new.notna(), None), old.astype(object).where(old.notna(), None)
    return (a.to_numpy() != b.to_numpy()).astype(bool)


def revised_rows(
    conn: Connection, spec: DatasetSpec, key: str, source_id: str, older: pd.DataFrame, since: date
) -> pd.DataFrame:
    """The rows of ``older`` (a body's rows before ``since``) the provider revised: rows whose
    values differ from those stored for the date by this same source, and dates within the
    stored span that are not stored at all (a day the provider filled in later). Rows stored
    from another source are left as they are (another provider's figures are no revision),
    and rows older than the first stored date are not taken (a refresh does not deepen the
    history: the first download decided its depth). Compared vectorised, on one read."""
    if older.empty:
        return older
    days = observation_dates(older[date_column(spec)])
    older = older.assign(_day=days.to_numpy()).drop_duplicates(subset=["_day"], keep="last")
    values = _value_columns(spec, older)
    stored = _stored(conn, spec, key, min(older["_day"]), since, values)
    if stored.empty or stored["day"].duplicated().any():
        # Nothing stored before ``since`` (the body reaches back past the stored history), or
        # several rows a day (a table keyed by more than the date): nothing to compare with.
        return older.iloc[:0].drop(columns="_day")
    stored = stored.rename(columns={v: f"{v}_stored" for v in values} | {"source": "source_stored"})
    merged = older.merge(stored, how="left", left_on="_day", right_on="day")
    in_span = (merged["_day"] >= stored["day"].min()).to_numpy(dtype=bool)
    missing = merged["day"].isna().to_numpy(dtype=bool)
    mine = (merged["source_stored"] == source_id).to_numpy(dtype=bool)
    changed = np.zeros(len(merged), dtype=bool)
    for value in values:
        changed |= _differs(merged[value], merged[f"{value}_stored"])
    revised = in_span & (missing | (mine & changed))
    return older[revised].drop(columns="_day").reset_index(drop=True)


def depth_note(connector, source_id: str, requested_from: date, provider_first: date | None, today: date) -> str:
    """Why the series' history starts where it does, after a full-depth download."""
    if provider_first is None:
        return f"{source_id} served no rows"
    if provider_first <= requested_from + DEPTH_GRACE:
        return f"full depth: {source_id} serves from {requested_from} or earlier"
    window = getattr(connector, "max_history_days", None)
    if window and provider_first >= today - timedelta(days=window) - DEPTH_GRACE:
        return f"{source_id} serves the last {window} days only"
    note = getattr(connector, "history_note", None)
    if note:
        return note
    return f"listed {provider_first} (the first bar {source_id} has)"


def depth_record(
    spec: DatasetSpec, key: str, source_id: str, connector, frame: pd.DataFrame, today: date | None = None
) -> dict:
    """The ``instrument_history`` row of a full-depth download of series ``key``."""
    today = today or datetime.now(UTC).date()
    requested_from = depth_start(today)
    column = spec.date_column if spec.date_column in frame.columns else date_column(spec)
    days = observation_dates(frame[column]) if column in frame.columns and len(frame) else pd.Series(dtype=object)
    provider_first = min(days) if len(days) else None
    return {
        "dataset": spec.name,
        "key": key,
        "source": source_id,
        "requested_from": requested_from,
        "provider_first": provider_first,
        "depth_note": depth_note(connector, source_id, requested_from, provider_first, today),
        "updated_at": datetime.now(UTC),
    }


def recorded_keys(conn: Connection, dataset: str) -> set[str]:
    """The series of ``dataset`` whose depth is recorded (one read by primary key)."""
    stmt = select(instrument_history.c.key).where(instrument_history.c.dataset == dataset)
    return set(conn.execute(stmt).scalars())


def needs_full_depth(oldest_stored: date, recorded: bool, today: date | None = None) -> bool:
    """Whether a series with data should be downloaded at full depth once more: its history
    starts later than the depth asked for and no full-depth download has said why (data stored
    before the station asked for five years, say)."""
    return not recorded and oldest_stored > depth_start(today) + DEPTH_GRACE
