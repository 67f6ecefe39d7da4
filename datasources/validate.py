"""Checks every parsed frame passes before it may be written; a failure names the reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd

from datasources.base import DownloadError


class ValidationError(DownloadError):
    """A parsed frame that must not be written."""


def validate_observations(frame: pd.DataFrame, symbol: str) -> pd.DataFrame:
    """``series_id, date, value`` rows: right columns, unique dates, finite values, no future dates."""
    required = {"series_id", "date", "value"}
    if not required <= set(frame.columns):
        raise ValidationError(f"{symbol}: missing columns {sorted(required - set(frame.columns))}")
    if frame.empty:
        return frame
    if frame.duplicated(subset=["series_id", "date"]).any():
        raise ValidationError(f"{symbol}: duplicate dates in the response")
    values = pd.to_numeric(frame["value"], errors="coerce")
    if not np.isfinite(values).all():
        raise ValidationError(f"{symbol}: non-finite values")
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date()
    if (pd.to_datetime(frame["date"]).dt.date > tomorrow).any():
        raise ValidationError(f"{symbol}: dates in the future")
    return frame
