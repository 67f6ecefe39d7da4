"""Checks every parsed frame passes before it may be written; a failure names the reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd

from datasources.base import DownloadError
from datasources.chains import NON_NEGATIVE_FIGURES
from datasources.derivatives import validate_days


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


def validate_bars(frame: pd.DataFrame, symbol: str, allow_non_positive: bool = False) -> pd.DataFrame:
    """OHLCV bars that can be true: right columns, unique timestamps, finite prices, high ≥ low,
    no future bars, and prices > 0 unless the instrument's prices can be zero or negative
    (futures, spreads: ``allow_non_positive``). What is merely unusual — a large move, a stale
    close, a gap — is written and flagged instead (datasources/quality.py)."""
    required = {"symbol", "ts", "open", "high", "low", "close", "volume"}
    if not required <= set(frame.columns):
        raise ValidationError(f"{symbol}: missing columns {sorted(required - set(frame.columns))}")
    if frame.empty:
        return frame
    if frame["ts"].duplicated().any():
        raise ValidationError(f"{symbol}: duplicate timestamps in the response")
    prices = frame[["open", "high", "low", "close"]]
    if not allow_non_positive and (prices <= 0).any().any():
        raise ValidationError(f"{symbol}: prices must be > 0")
    if not np.isfinite(prices.fillna(1.0).to_numpy()).all():
        raise ValidationError(f"{symbol}: non-finite prices")
    both = frame["high"].notna() & frame["low"].notna()
    if (frame.loc[both, "high"] < frame.loc[both, "low"]).any():
        raise ValidationError(f"{symbol}: high below low")
    if (frame["ts"] > pd.Timestamp.now(tz="UTC") + pd.Timedelta(days=1)).any():
        raise ValidationError(f"{symbol}: bars in the future")
    return frame


def validate_option_chain(frame: pd.DataFrame, symbol: str) -> pd.DataFrame:
    """Option-chain summary rows: right columns, one row per snapshot date and expiry, no expiry
    before its snapshot, no snapshot in the future, counts ≥ 0, ratios and IVs finite and ≥ 0
    where present."""
    required = {"date", "expiry", "days_to_expiry", "contracts"}
    if not required <= set(frame.columns):
        raise ValidationError(f"{symbol}: missing columns {sorted(required - set(frame.columns))}")
    if frame.empty:
        return frame
    if frame.duplicated(subset=["date", "expiry"]).any():
        raise ValidationError(f"{symbol}: an expiry appears twice in one snapshot")
    if (frame["days_to_expiry"] < 0).any():
        raise ValidationError(f"{symbol}: expiries before their snapshot date")
    _none_in_future(frame["date"], f"{symbol}: snapshots in the future")
    _non_negative(frame, NON_NEGATIVE_FIGURES, f"{symbol}: negative or non-finite chain figures")
    return frame


def _none_in_future(dates: pd.Series, message: str) -> None:
    """Refuse ``dates`` later than tomorrow (UTC): a row from the future is impossible."""
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date()
    if (pd.to_datetime(dates).dt.date > tomorrow).any():
        raise ValidationError(message)


def _non_negative(frame: pd.DataFrame, columns, message: str) -> None:
    """Refuse negative or non-finite values in those of ``columns`` the frame has (gaps allowed)."""
    values = frame[[c for c in columns if c in frame]].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    present = ~np.isnan(values)
    if not np.isfinite(values[present]).all() or (values[present] < 0).any():
        raise ValidationError(message)


def validate_crypto_derivatives(frame: pd.DataFrame, symbol: str) -> pd.DataFrame:
    """Daily funding and open-interest rows (datasources/derivatives.py)."""
    return validate_days(frame, symbol, ValidationError)


def validate_fundamentals(frame: pd.DataFrame, symbol: str) -> pd.DataFrame:
    """Annual figures: one row per fiscal year end, none in the future, no filing before the
    year it reports on ended, every figure finite where present."""
    if "date" not in frame.columns:
        raise ValidationError(f"{symbol}: missing columns ['date']")
    if frame.empty:
        return frame
    ends = pd.to_datetime(frame["date"]).dt.date
    if ends.duplicated().any():
        raise ValidationError(f"{symbol}: a fiscal year appears twice")
    _none_in_future(frame["date"], f"{symbol}: fiscal years ending in the future")
    if "filed" in frame and (pd.to_datetime(frame["filed"]) < pd.to_datetime(frame["date"])).any():
        raise ValidationError(f"{symbol}: a filing dated before the year it reports on ended")
    figures = [c for c in frame.columns if c not in ("symbol", "date", "fiscal_year", "form", "filed")]
    values = frame[figures].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    if np.isinf(values).any():
        raise ValidationError(f"{symbol}: non-finite figures")
    return frame


COT_POSITIONS = (
    "open_interest",
    "noncomm_long",
    "noncomm_short",
    "noncomm_spreading",
    "comm_long",
    "comm_short",
    "nonrept_long",
    "nonrept_short",
)


def validate_cot_positions(frame: pd.DataFrame, symbol: str) -> pd.DataFrame:
    """Commitments of Traders rows: right columns, one row per report date, no report in the
    future, open interest and positions finite and ≥ 0 where present (the nets may be < 0)."""
    required = {"date", "open_interest"}
    if not required <= set(frame.columns):
        raise ValidationError(f"{symbol}: missing columns {sorted(required - set(frame.columns))}")
    if frame.empty:
        return frame
    if frame.duplicated(subset=["date"]).any():
        raise ValidationError(f"{symbol}: a report date appears twice")
    _none_in_future(frame["date"], f"{symbol}: reports in the future")
    _non_negative(frame, COT_POSITIONS, f"{symbol}: negative or non-finite positions")
    return frame


# Validators of the datasets whose connectors parse the table's own columns (``kind = rows``).
ROW_VALIDATORS = {
    "options_chain": validate_option_chain,
    "crypto_derivatives": validate_crypto_derivatives,
    "fundamentals": validate_fundamentals,
    "cot_positions": validate_cot_positions,
}


def validate_rows(dataset: str, frame: pd.DataFrame, symbol: str) -> pd.DataFrame:
    """``frame`` checked by ``dataset``'s validator; a dataset without one cannot be downloaded."""
    validator = ROW_VALIDATORS.get(dataset)
    if validator is None:
        raise ValidationError(f"{symbol}: no validator for rows of {dataset}")
    return validator(frame, symbol)
