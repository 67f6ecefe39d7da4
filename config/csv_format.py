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
