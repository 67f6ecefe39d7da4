"""How the station writes numbers and text into files and API bodies, for the pages and the API
alike: floats without binary noise (12 significant digits) and formula-safe CSV cells.

Text cells that a spreadsheet would run as a formula (leading ``=``, ``+``, ``-``, ``@``, tab
or carriage return) are prefixed with ``'``; numbers are left as they are. The pages' panel
CSVs (pages/panels/export.py) and the API's CSV format (api/formats.py) both write through
this module, so neither imports the other's layer.
"""

from __future__ import annotations

import io
import math

import pandas as pd

SIGNIFICANT_DIGITS = 12  # beyond any source's precision; below float noise (0.0035999999999996035)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def significant(value: float, digits: int = SIGNIFICANT_DIGITS) -> float:
    """``value`` without binary noise: rounded to ``digits`` significant digits (0.0035999999999996035
    → 0.0036; 87012.34 stays 87012.34). What CSV and API output carry."""
    if not math.isfinite(value) or value == 0:
        return value
    return float(f"{value:.{digits}g}")


def significant_frame(frame):
    """A copy of ``frame`` whose float columns are ``significant``."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype.kind == "f":
            out[col] = [significant(v) for v in out[col].to_numpy()]
    return out


def safe_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """Neutralise spreadsheet formulas in text cells and headers; numbers are left as they are."""

    def cell(value):
        if isinstance(value, str) and value.startswith(FORMULA_START):
            return "'" + value
        return value

    out = frame.copy()
    out.columns = [cell(str(c)) for c in out.columns]
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(cell)
    return out


def csv_text(frame: pd.DataFrame, lineterminator: str | None = None) -> str:
    """``frame`` as CSV text with a header row, no index, every cell formula-safe."""
    buffer = io.StringIO()
    safe_cells(frame).to_csv(buffer, index=False, lineterminator=lineterminator)
    return buffer.getvalue()


def quality_labels(flags: pd.DataFrame) -> pd.Series:
    """The quality flags of each flagged ``(key, date)`` as one text — "jump (confirmed); stale
    (open)": the ``quality`` column of the API's and the pages' CSV output. ``flags`` has
    ``key, date, rule, status`` (sql.read.quality_flags); dates are normalised to midnight."""
    if flags.empty:
        return pd.Series(dtype=object, index=pd.MultiIndex.from_arrays([[], []], names=["key", "date"]))
    text = flags["rule"].astype(str) + " (" + flags["status"].astype(str) + ")"
    days = pd.to_datetime(flags["date"]).dt.normalize().rename("date")
    return text.groupby([flags["key"].astype(str).rename("key"), days], sort=True).agg("; ".join)


def with_quality(
    frame: pd.DataFrame, flags: pd.DataFrame, key_column: str | None = None, key: str | None = None
) -> pd.DataFrame:
    """``frame`` (with a ``date`` column) plus a ``quality`` column: the labels of its rows'
    flags, None where none; its series named by its ``key_column``, or ``key`` for one series."""
    labels = quality_labels(flags)
    keys = frame[key_column].astype(str) if key_column else pd.Series(str(key), index=frame.index)
    days = pd.to_datetime(frame["date"])
    if getattr(days.dt, "tz", None) is not None:
        days = days.dt.tz_convert("UTC").dt.tz_localize(None)
    index = pd.MultiIndex.from_arrays([keys, days.dt.normalize()])
    found = labels.reindex(index).to_numpy() if not labels.empty else [None] * len(frame)
    out = frame.copy()
    out["quality"] = pd.Series(found, index=frame.index, dtype=object).where(pd.notna(found), None)
    return out
