"""Demo fundamentals: annual-report figures of the equity basket (the ``fundamentals`` table's
columns), anchored on each company's fiscal 2024 revenue and net margin, in dollars, for the
fiscal years that ended (and were filed) within the demo window."""

from __future__ import annotations

import zlib
from datetime import date, timedelta

import numpy as np
import pandas as pd

# Revenue (billions of dollars) and net margin of fiscal 2024, roughly; month the fiscal year ends.
ANCHORS = {
    "AAPL": (391, 0.24, 9), "MSFT": (245, 0.36, 6), "NVDA": (130, 0.56, 1), "AMZN": (638, 0.09, 12),
    "GOOGL": (350, 0.29, 12), "META": (165, 0.38, 12), "BRK-B": (371, 0.24, 12), "LLY": (45, 0.23, 12),
    "AVGO": (52, 0.11, 10), "JPM": (177, 0.33, 12), "TSLA": (98, 0.07, 12), "UNH": (400, 0.036, 12),
    "XOM": (344, 0.10, 12), "V": (36, 0.55, 9), "MA": (28, 0.46, 12), "JNJ": (89, 0.16, 12),
    "PG": (84, 0.18, 6), "HD": (159, 0.093, 1), "COST": (254, 0.029, 8), "MRK": (64, 0.27, 12),
    "ABBV": (56, 0.08, 12), "CVX": (203, 0.087, 12), "KO": (47, 0.23, 12), "PEP": (92, 0.10, 12),
    "WMT": (681, 0.029, 1), "BAC": (102, 0.27, 12), "ADBE": (21.5, 0.26, 11), "CRM": (38, 0.16, 1),
    "NFLX": (39, 0.22, 12), "TMO": (43, 0.15, 12), "ORCL": (53, 0.20, 5), "AMD": (26, 0.064, 12),
    "CSCO": (54, 0.19, 7), "ACN": (65, 0.11, 8), "MCD": (26, 0.32, 12), "LIN": (33, 0.19, 12),
    "ABT": (42, 0.32, 12), "DHR": (24, 0.16, 12), "WFC": (83, 0.24, 12), "DIS": (91, 0.055, 9),
    "INTC": (53, -0.36, 12), "VZ": (135, 0.13, 12), "CMCSA": (124, 0.13, 12), "PFE": (64, 0.13, 12),
    "NKE": (51, 0.11, 5), "TXN": (16, 0.30, 12), "QCOM": (39, 0.26, 9), "IBM": (63, 0.09, 12),
    "CAT": (65, 0.17, 12), "GS": (53, 0.27, 12),
}  # fmt: skip
# Weighted average diluted shares (billions) of the recent 10-Ks, split-adjusted as the demo's
# prices are: price × shares is each company's market value (Berkshire, like its filings,
# counts Class A equivalents: one A share is 1,500 B shares).
SHARES = {
    "AAPL": 15.4, "MSFT": 7.47, "NVDA": 24.9, "AMZN": 10.7, "GOOGL": 12.4, "META": 2.61, "BRK-B": 0.00144,
    "LLY": 0.903, "AVGO": 4.88, "JPM": 2.88, "TSLA": 3.49, "UNH": 0.925, "XOM": 4.43, "V": 1.99, "MA": 0.93,
    "JNJ": 2.43, "PG": 2.46, "HD": 0.994, "COST": 0.444, "MRK": 2.54, "ABBV": 1.77, "CVX": 1.84, "KO": 4.32,
    "PEP": 1.38, "WMT": 8.1, "BAC": 7.86, "ADBE": 0.452, "CRM": 0.98, "NFLX": 4.4, "TMO": 0.385, "ORCL": 2.85,
    "AMD": 1.64, "CSCO": 4.07, "ACN": 0.636, "MCD": 0.72, "LIN": 0.48, "ABT": 1.75, "DHR": 0.74, "WFC": 3.45,
    "DIS": 1.83, "INTC": 4.28, "VZ": 4.22, "CMCSA": 3.89, "PFE": 5.7, "NKE": 1.52, "TXN": 0.915, "QCOM": 1.12,
    "IBM": 0.93, "CAT": 0.49, "GS": 0.33,
}  # fmt: skip
ANCHOR_YEAR = 2024
FILING_DAYS = 60  # a 10-K is filed about two months after the year ends


def _year_end(year: int, month: int) -> date:
    return (pd.Timestamp(year=year, month=month, day=1) + pd.offsets.MonthEnd(0)).date()


def demo_fundamentals(key: str, first: date, last: date) -> pd.DataFrame:
    """One row per fiscal year of ``key`` that ended and was filed between ``first`` and ``last``."""
    revenue_bn, margin, month = ANCHORS.get(key, (20 + zlib.crc32(key.encode()) % 80, 0.12, 12))
    rng = np.random.default_rng(zlib.crc32(f"fundamentals:{key}".encode()))
    growth = 0.03 + 0.1 * rng.random()
    shares = revenue_bn * 1e9 / (20 + 80 * rng.random())  # revenue per share 20-100 $
    shares = SHARES[key] * 1e9 if key in SHARES else shares
    rows = []
    for year in range(first.year - 1, last.year + 1):
        end = _year_end(year, month)
        filed = end + timedelta(days=FILING_DAYS)
        if end < first or filed > last:
            continue
        revenue = revenue_bn * 1e9 * (1 + growth) ** (year - ANCHOR_YEAR) * float(np.exp(rng.normal(0, 0.03)))
        net = revenue * (margin + float(rng.normal(0, 0.01)))
        assets = revenue * (1.2 + rng.random())
        liabilities = assets * (0.45 + 0.3 * rng.random())
        rows.append(
            {
                "symbol": key, "date": end, "fiscal_year": year, "form": "10-K", "filed": filed,
                "revenue": revenue, "operating_income": net * 1.3, "net_income": net,
                "eps_diluted": round(net / shares, 2), "diluted_shares": round(shares, -3),
                "operating_cash_flow": net * 1.25 + revenue * 0.03, "cash": revenue * (0.05 + 0.2 * rng.random()),
                "assets": assets, "liabilities": liabilities, "equity": assets - liabilities,
            }
        )  # fmt: skip
    figures = [
        "revenue",
        "operating_income",
        "net_income",
        "operating_cash_flow",
        "cash",
        "assets",
        "liabilities",
        "equity",
    ]
    frame = pd.DataFrame(rows)
    if not frame.empty:
        frame[figures] = frame[figures].round(-6)  # reported in millions
    return frame
