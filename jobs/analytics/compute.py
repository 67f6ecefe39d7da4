"""The analytics the sidecar stores after each refresh, as pure functions of frames.

Inputs are *wide* frames of daily levels: a ``DatetimeIndex`` of dates (naive, one row a day)
and one column per instrument. Outputs are long frames in the shape of their tables (without
``source``/``fetched_at``, which the runner adds). Nothing here touches the database.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# Trading days in each return horizon of the sector-rotation table.
HORIZONS = {"return_1w": 5, "return_1m": 21, "return_3m": 63, "return_6m": 126, "return_1y": 252}
YEAR = 252


def weekday_levels(levels: pd.DataFrame, fill_limit: int = 5) -> pd.DataFrame:
    """Levels on one Monday–Friday calendar: assets that trade at weekends (crypto) are read at
    Friday's and Monday's close, and a holiday of one market carries its last level forward
    (at most ``fill_limit`` days) so it does not break the others' returns."""
    levels = levels.sort_index()
    return levels[levels.index.day_of_week < 5].ffill(limit=fill_limit)


def daily_returns(levels: pd.DataFrame, rate_columns: frozenset[str] | set[str] = frozenset()) -> pd.DataFrame:
    """Day-on-day returns: relative change for prices, change in level for ``rate_columns``
    (yields and spreads, whose percentage change means little near zero)."""
    aligned = weekday_levels(levels)
    prices = [c for c in aligned.columns if c not in rate_columns]
    rates = [c for c in aligned.columns if c in rate_columns]
    out = pd.concat([aligned[prices].pct_change(fill_method=None), aligned[rates].diff()], axis=1)
    return out[list(aligned.columns)].iloc[1:]


def rolling_correlations(returns: pd.DataFrame, window: int = 60, min_periods: int | None = None) -> pd.DataFrame:
    """``asset_a, asset_b, window_days, date, value``: the correlation of each pair's returns
    over the ``window`` days up to each date, for every pair once (``asset_a`` before
    ``asset_b`` in column order). A pair needs ``min_periods`` common days (default 80% of
    the window)."""
    columns = ["asset_a", "asset_b", "window_days", "date", "value"]
    if returns.empty or returns.shape[1] < 2:
        return pd.DataFrame(columns=columns)
    min_periods = min_periods or max(2, int(window * 0.8))
    matrix = returns.rolling(window, min_periods=min_periods).corr()
    matrix.index.names = ["date", "asset_a"]
    matrix.columns.name = "asset_b"
    long = matrix.stack().rename("value").reset_index()
    order = {name: i for i, name in enumerate(returns.columns)}
    long = long[long["asset_a"].map(order) < long["asset_b"].map(order)]
    long = long[np.isfinite(long["value"])]
    long["value"] = long["value"].clip(-1.0, 1.0)
    long["window_days"] = window
    long["date"] = pd.to_datetime(long["date"]).dt.date
    return long[columns].reset_index(drop=True)


def sector_rotation(
    closes: pd.DataFrame, benchmark: str, sectors: list[str], ratio_window: int = 63, momentum_lag: int = 10
) -> pd.DataFrame:
    """Relative rotation graph coordinates and returns of each sector against ``benchmark``.

    RS = sector / benchmark; RS-Ratio = 100 × RS / its ``ratio_window``-day mean (above 100:
    outperforming its own recent trend); RS-Momentum = 100 × RS-Ratio / RS-Ratio
    ``momentum_lag`` days earlier (above 100: relative strength improving). Quadrants:
    leading (both > 100), weakening, lagging (both < 100), improving. Returns are the sector's
    own, in percent, over 1w/1m/3m/6m/1y of trading days.
    """
    columns = ["symbol", "benchmark", "date", "rs_ratio", "rs_momentum", *HORIZONS]
    if benchmark not in closes:
        return pd.DataFrame(columns=columns)
    aligned = weekday_levels(closes)
    aligned = aligned[aligned[benchmark].notna()]
    frames = []
    for symbol in sectors:
        if symbol not in aligned:
            continue
        close = aligned[symbol]
        rs = close / aligned[benchmark]
        ratio = 100 * rs / rs.rolling(ratio_window, min_periods=ratio_window).mean()
        frame = pd.DataFrame(
            {
                "symbol": symbol,
                "benchmark": benchmark,
                "date": aligned.index.date,
                "rs_ratio": ratio.to_numpy(),
                "rs_momentum": (100 * ratio / ratio.shift(momentum_lag)).to_numpy(),
                **{name: (100 * (close / close.shift(days) - 1)).to_numpy() for name, days in HORIZONS.items()},
            }
        )
        metrics = frame.columns[3:]
        frames.append(frame[frame[metrics].notna().any(axis=1) & close.notna().to_numpy()])
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]


def rotation_quadrant(rs_ratio: float, rs_momentum: float) -> str:
    if rs_ratio >= 100:
        return "leading" if rs_momentum >= 100 else "weakening"
    return "improving" if rs_momentum >= 100 else "lagging"


def market_breadth(closes: pd.DataFrame, universe: str) -> pd.DataFrame:
    """Daily breadth of a universe of constituents, on closing prices.

    Advancers/decliners/unchanged count members that closed up/down/flat on their previous
    close (members without a close that day are left out); the A/D line is the running sum of
    advancers − decliners; new highs/lows count members closing at their highest/lowest close
    of the last 252 trading days (members with a full year of history); % above the 50- and
    200-day simple moving averages is over the members that have one.
    """
    columns = [
        "universe",
        "date",
        "advancers",
        "decliners",
        "unchanged",
        "ad_line",
        "new_highs",
        "new_lows",
        "pct_above_50d",
        "pct_above_200d",
    ]
    if closes.empty:
        return pd.DataFrame(columns=columns)
    closes = closes.sort_index()
    closes = closes[closes.index.day_of_week < 5]
    previous = closes.ffill().shift(1)
    change = closes - previous
    quoted = closes.notna() & previous.notna()
    advancers = ((change > 0) & quoted).sum(axis=1)
    decliners = ((change < 0) & quoted).sum(axis=1)
    unchanged = ((change == 0) & quoted).sum(axis=1)
    high = closes.rolling(YEAR, min_periods=YEAR).max()
    low = closes.rolling(YEAR, min_periods=YEAR).min()

    def pct_above(days: int) -> pd.Series:
        average = closes.rolling(days, min_periods=days).mean()
        has = average.notna() & closes.notna()
        counted = has.sum(axis=1)
        return (100 * ((closes > average) & has).sum(axis=1) / counted.where(counted > 0)).round(4)

    frame = pd.DataFrame(
        {
            "universe": universe,
            "date": closes.index.date,
            "advancers": advancers.to_numpy(),
            "decliners": decliners.to_numpy(),
            "unchanged": unchanged.to_numpy(),
            "ad_line": (advancers - decliners).cumsum().astype(float).to_numpy(),
            "new_highs": ((closes >= high) & high.notna()).sum(axis=1).to_numpy(),
            "new_lows": ((closes <= low) & low.notna()).sum(axis=1).to_numpy(),
            "pct_above_50d": pct_above(50).to_numpy(),
            "pct_above_200d": pct_above(200).to_numpy(),
        }
    )
    return frame[quoted.any(axis=1).to_numpy()].reset_index(drop=True)[columns]


def trailing_percentile(series: pd.Series, window: int = YEAR, min_periods: int = 60) -> pd.Series:
    """Where each value stands among the last ``window`` values, 0–100 (ties count half)."""

    def rank(values: np.ndarray) -> float:
        last = values[-1]
        return 100 * ((values < last).sum() + 0.5 * ((values == last).sum() - 1)) / max(len(values) - 1, 1)

    return series.dropna().rolling(window, min_periods=min_periods).apply(rank, raw=True)


SENTIMENT_LABELS = ((25, "Extreme fear"), (45, "Fear"), (55, "Neutral"), (75, "Greed"), (100.0001, "Extreme greed"))


def sentiment_label(score: float) -> str:
    for bound, label in SENTIMENT_LABELS:
        if score < bound:
            return label
    return SENTIMENT_LABELS[-1][1]


def sentiment_composite(
    scores: dict[str, pd.Series], fear_high: dict[str, pd.Series], min_components: int = 2
) -> pd.DataFrame:
    """A 0–100 fear/greed composite and its components (``indicator_id, date, value, label``).

    ``scores`` are already 0–100 with greed high (CNN and crypto Fear & Greed) and are used as
    they are. ``fear_high`` are raw gauges where a high value means fear (put/call ratio, VIX
    term structure): each becomes 100 − its trailing one-year percentile. Components appear as
    ``COMPOSITE_<name>``; ``COMPOSITE`` is their mean on days with at least ``min_components``.
    """
    columns = ["indicator_id", "date", "value", "label"]
    parts = {name: s.astype(float) for name, s in scores.items()}
    parts |= {name: 100 - trailing_percentile(s.astype(float)) for name, s in fear_high.items()}
    parts = {name: s.dropna() for name, s in parts.items() if not s.dropna().empty}
    if not parts:
        return pd.DataFrame(columns=columns)
    table = weekday_levels(pd.DataFrame(parts))
    composite = table.mean(axis=1).where(table.notna().sum(axis=1) >= min_components)
    frames = []
    for name in table.columns:
        s = table[name].dropna()
        frames.append(pd.DataFrame({"indicator_id": f"COMPOSITE_{name}", "date": s.index.date, "value": s.values}))
    composite = composite.dropna()
    frames.append(
        pd.DataFrame(
            {
                "indicator_id": "COMPOSITE",
                "date": composite.index.date,
                "value": composite.values,
                "label": [sentiment_label(v) for v in composite.values],
            }
        )
    )
    out = pd.concat(frames, ignore_index=True)
    out["value"] = out["value"].round(4)
    return out.reindex(columns=columns)


def term_structure(front: pd.Series, back: pd.Series) -> pd.Series:
    """Front / back month volatility (VIX / VIX3M): below 1 contango (calm), above 1 backwardation (stress)."""
    joined = pd.concat([front, back], axis=1, keys=["front", "back"]).dropna()
    joined = joined[joined["back"] > 0]
    return (joined["front"] / joined["back"]).round(6)
