"""Demo Commitments of Traders: per market, a weekly report (Tuesdays) whose open interest and
positions by trader class wander around late-2025 levels, every class's long and spreading
adding up to the open interest as in the CFTC's report."""

from __future__ import annotations

import numpy as np
import pandas as pd

from jobs.demo.specs import _backward_ar

# Open interest (contracts) and the non-commercial net as a share of it, late 2025.
ANCHORS = {
    "ES": (2_100_000, -0.05),
    "NQ": (270_000, 0.08),
    "ZN": (4_700_000, -0.12),
    "ZB": (1_850_000, -0.06),
    "EUR": (800_000, 0.15),
    "JPY": (300_000, -0.10),
    "DX": (30_000, 0.25),
    "GC": (480_000, 0.45),
    "SI": (150_000, 0.30),
    "CL": (1_900_000, 0.12),
    "NG": (1_500_000, -0.08),
    "BTC": (25_000, 0.05),
}
DEFAULT = (500_000, 0.0)


def demo_cot_positions(market: str, days: pd.DatetimeIndex) -> pd.DataFrame:
    """``cot_positions`` rows (``market`` included) on the Tuesdays of ``days``."""
    tuesdays = days[days.day_of_week == 1]
    n = len(tuesdays)
    oi_level, net_share = ANCHORS.get(market, DEFAULT)
    oi = np.round(oi_level * np.exp(_backward_ar(f"COT_OI_{market}", n, 0.03, 0.15)))
    net = np.clip(net_share + _backward_ar(f"COT_NET_{market}", n, 0.03, 0.12), -0.6, 0.6)
    spreading = np.round(oi * 0.08)
    gross = oi * 0.32  # non-commercial long + short, besides spreading
    noncomm_long = np.round(gross * (1 + net) / 2 + oi * np.clip(net, 0, None) * 0.3)
    noncomm_short = np.round(gross * (1 - net) / 2 + oi * np.clip(-net, 0, None) * 0.3)
    nonrept_long, nonrept_short = np.round(oi * 0.07), np.round(oi * 0.08)
    comm_long = oi - noncomm_long - spreading - nonrept_long
    comm_short = oi - noncomm_short - spreading - nonrept_short
    return pd.DataFrame(
        {
            "market": market,
            "date": tuesdays.date,
            "market_name": f"{market} (demo)",
            "contract_code": None,
            "open_interest": oi,
            "noncomm_long": noncomm_long,
            "noncomm_short": noncomm_short,
            "noncomm_spreading": spreading,
            "comm_long": comm_long,
            "comm_short": comm_short,
            "nonrept_long": nonrept_long,
            "nonrept_short": nonrept_short,
            "noncomm_net": noncomm_long - noncomm_short,
            "comm_net": comm_long - comm_short,
            "nonrept_net": nonrept_long - nonrept_short,
        }
    )
