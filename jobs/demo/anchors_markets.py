"""Anchors of the market series: late-2025 levels of indices, equities, commodities, crypto,
currencies, volatility and sentiment readings, in each series' unit."""

from __future__ import annotations

from dataclasses import replace

from jobs.demo.specs import W_FRI, W_THU, P, R, Spec

INDICES = {
    "SPX": P(6700, 0.10, 0.16, 0.08),
    "NDX": P(25000, 0.12, 0.08, 0.05, SPX=1.25),
    "IXIC": P(23000, 0.11, 0.03, 0.02, NDX=0.95),
    "DJI": P(47000, 0.09, 0.07, 0.04, SPX=0.85),
    "RUT": P(2450, 0.056, 0.14, 0.08, SPX=1.15),
    "NYA": P(21500, 0.08, 0.06, 0.04, SPX=0.85),
    "SOX": P(7000, 0.19, 0.25, 0.15, NDX=1.5),
    "GSPTSE": P(31000, 0.11, 0.09, 0.06, SPX=0.7),
    "BVSP": P(155000, 0.07, 0.2, 0.12, SPX=0.5),
    "MXX": P(62000, 0.08, 0.16, 0.1, SPX=0.5),
    "MERV": P(2900000, 0.8, 0.45, 0.3, SPX=0.5),  # in pesos, through Argentine inflation
    "FTSE": P(9700, 0.083, 0.1, 0.06, SPX=0.5),
    "GDAXI": P(24000, 0.118, 0.12, 0.07, SPX=0.7),
    "FCHI": P(8100, 0.075, 0.12, 0.07, SPX=0.65),
    "STOXX50E": P(5700, 0.1, 0.12, 0.07, SPX=0.7),
    "IBEX": P(16500, 0.14, 0.13, 0.08, SPX=0.6),
    "FTSEMIB": P(43500, 0.136, 0.14, 0.08, SPX=0.7),
    "AEX": P(950, 0.09, 0.11, 0.07, SPX=0.7),
    "SSMI": P(12900, 0.043, 0.1, 0.06, SPX=0.45),
    "OMXS30": P(2700, 0.07, 0.13, 0.08, SPX=0.7),
    "N225": P(50000, 0.127, 0.18, 0.1, SPX=0.6),
    "HSI": P(25800, 0.0, 0.24, 0.18, SPX=0.4),
    "SSEC": P(3900, 0.027, 0.18, 0.1, SPX=0.2),
    "KS11": P(4000, 0.08, 0.2, 0.12, SPX=0.6),
    "TWII": P(27000, 0.13, 0.18, 0.1, SPX=0.8),
    "BSESN": P(85000, 0.127, 0.14, 0.08, SPX=0.4),
    "NSEI": P(26000, 0.134, 0.04, 0.02, BSESN=1.0),
    "AXJO": P(8600, 0.053, 0.11, 0.06, SPX=0.5),
    "NZ50": P(13400, 0.008, 0.11, 0.07, SPX=0.3),
    "STI": P(4500, 0.09, 0.1, 0.06, SPX=0.4),
    "JKSE": P(8600, 0.079, 0.16, 0.1, SPX=0.3),
    "KLSE": P(1620, 0.0, 0.09, 0.06, SPX=0.2),
    "TA125": P(3300, 0.16, 0.15, 0.09, SPX=0.5),
    "IMOEX": P(2700, 0.0, 0.2, 0.14, SPX=0.1),  # in roubles
    "RTSI": P(1050, 0.0, 0.08, 0.05, IMOEX=1.0),  # the same index in dollars
    # ETFs track their index (SPY ≈ SPX / 10, DIA ≈ DJI / 100); TLT, HYG, LQD are priced off
    # the demo curve and spreads (DERIVED).
    "SPY": P(670, 0.10, 0.003, 0.001, SPX=1.0),
    "QQQ": P(610, 0.12, 0.003, 0.001, NDX=1.0),
    "DIA": P(470, 0.09, 0.003, 0.001, DJI=1.0),
    "IWM": P(243, 0.056, 0.004, 0.001, RUT=1.0),
    "VTI": P(330, 0.10, 0.02, 0.01, SPX=1.02),
    "EFA": P(95, 0.055, 0.1, 0.06, SPX=0.65),
    "EEM": P(54, 0.015, 0.14, 0.09, SPX=0.6),
    "XLB": P(89, 0.02, 0.14, 0.08, SPX=0.9),
    "XLC": P(115, 0.105, 0.14, 0.08, SPX=1.0),
    "XLE": P(90, 0.15, 0.22, 0.14, SPX=0.6),
    "XLF": P(53, 0.107, 0.12, 0.07, SPX=1.05),
    "XLI": P(155, 0.113, 0.1, 0.06, SPX=1.0),
    "XLK": P(285, 0.157, 0.12, 0.07, SPX=1.2),
    "XLP": P(78, 0.036, 0.1, 0.06, SPX=0.45),
    "XLRE": P(41, 0.026, 0.14, 0.08, SPX=0.8),
    "XLU": P(87, 0.065, 0.13, 0.08, SPX=0.45),
    "XLV": P(150, 0.058, 0.11, 0.07, SPX=0.6),
    "XLY": P(235, 0.077, 0.13, 0.08, SPX=1.15),
    # World-markets pages: STOXX Europe 600, and US-listed regional and country ETFs (in dollars:
    # their index's swing plus the currency's).
    "STOXX": P(575, 0.09, 0.04, 0.02, STOXX50E=0.9),
    "VGK": P(80, 0.1, 0.07, 0.04, STOXX50E=0.95),
    "EWG": P(42, 0.12, 0.07, 0.04, GDAXI=0.95),
    "EWU": P(41, 0.1, 0.07, 0.04, FTSE=0.95),
    "EWJ": P(80, 0.1, 0.09, 0.05, N225=0.8),
    "EWY": P(92, 0.15, 0.1, 0.06, KS11=1.0),
    "EWT": P(63, 0.14, 0.08, 0.05, TWII=0.95),
    "EWA": P(26, 0.05, 0.08, 0.05, AXJO=0.95),
    "FXI": P(39, 0.03, 0.08, 0.05, HSI=1.0),
    "INDA": P(53, 0.08, 0.07, 0.04, NSEI=0.9),
    "VWO": P(53, 0.05, 0.04, 0.02, EEM=1.0),
    "EWZ": P(31, 0.05, 0.12, 0.07, BVSP=1.0),
    "EWW": P(64, 0.06, 0.1, 0.06, MXX=1.0),
    "EZA": P(58, 0.1, 0.22, 0.14, SPX=0.6),
    "TUR": P(36, 0.02, 0.3, 0.18, SPX=0.4),
    # Russell 1000 growth and value ETFs: growth rides the Nasdaq-100, value a low-beta S&P.
    "IWF": P(470, 0.15, 0.04, 0.03, NDX=0.9),
    "IWD": P(205, 0.075, 0.05, 0.03, SPX=0.85),
}

EQUITIES = {
    key: P(level, drift, vol, band, SPX=beta)
    for key, (level, drift, vol, band, beta) in {
        "AAPL": (280, 0.17, 0.22, 0.12, 1.1),
        "MSFT": (480, 0.16, 0.2, 0.1, 1.0),
        "NVDA": (180, 0.5, 0.45, 0.25, 1.6),
        "AMZN": (230, 0.07, 0.26, 0.14, 1.2),
        "GOOGL": (315, 0.25, 0.24, 0.14, 1.1),
        "META": (640, 0.17, 0.32, 0.2, 1.3),
        "BRK-B": (505, 0.16, 0.14, 0.08, 0.8),
        "LLY": (1050, 0.39, 0.28, 0.15, 0.5),
        "AVGO": (380, 0.45, 0.35, 0.2, 1.3),
        "JPM": (310, 0.18, 0.18, 0.1, 1.0),
        "TSLA": (430, 0.15, 0.5, 0.3, 1.6),
        "UNH": (330, 0.0, 0.28, 0.2, 0.5),
        "XOM": (117, 0.12, 0.22, 0.14, 0.6),
        "V": (330, 0.1, 0.16, 0.08, 0.9),
        "MA": (550, 0.1, 0.17, 0.09, 0.95),
        "JNJ": (205, 0.05, 0.14, 0.08, 0.4),
        "PG": (148, 0.02, 0.14, 0.08, 0.4),
        "HD": (355, 0.04, 0.2, 0.1, 1.0),
        "COST": (900, 0.175, 0.18, 0.1, 0.7),
        "MRK": (100, 0.04, 0.2, 0.12, 0.4),
        "ABBV": (225, 0.15, 0.2, 0.1, 0.5),
        "CVX": (150, 0.1, 0.2, 0.12, 0.6),
        "KO": (71, 0.06, 0.13, 0.07, 0.45),
        "PEP": (148, -0.01, 0.15, 0.08, 0.45),
        "WMT": (115, 0.17, 0.16, 0.08, 0.5),
        "BAC": (53, 0.1, 0.2, 0.12, 1.1),
        "ADBE": (340, -0.08, 0.28, 0.18, 1.1),
        "CRM": (240, 0.01, 0.28, 0.16, 1.1),
        "NFLX": (105, 0.15, 0.35, 0.2, 1.1),
        "TMO": (580, 0.04, 0.22, 0.12, 0.8),
        "ORCL": (200, 0.24, 0.3, 0.18, 1.0),
        "AMD": (215, 0.17, 0.42, 0.25, 1.5),
        "CSCO": (77, 0.1, 0.18, 0.1, 0.9),
        "ACN": (250, 0.0, 0.22, 0.14, 1.0),
        "MCD": (310, 0.07, 0.14, 0.07, 0.5),
        "LIN": (415, 0.1, 0.16, 0.08, 0.8),
        "ABT": (128, 0.03, 0.18, 0.1, 0.6),
        "DHR": (225, -0.01, 0.22, 0.12, 0.9),
        "WFC": (85, 0.2, 0.22, 0.12, 1.1),
        "DIS": (110, -0.1, 0.24, 0.14, 1.1),
        "INTC": (40, -0.05, 0.4, 0.25, 1.2),
        "VZ": (41, -0.07, 0.16, 0.1, 0.3),
        "CMCSA": (27, -0.12, 0.2, 0.12, 0.7),
        "PFE": (25, -0.08, 0.2, 0.12, 0.4),
        "NKE": (64, -0.16, 0.26, 0.16, 0.9),
        "TXN": (165, 0.0, 0.24, 0.14, 1.1),
        "QCOM": (170, 0.03, 0.28, 0.16, 1.3),
        "IBM": (305, 0.18, 0.2, 0.12, 0.7),
        "CAT": (580, 0.23, 0.22, 0.12, 1.0),
        "GS": (830, 0.26, 0.2, 0.12, 1.2),
    }.items()
}

COMMODITIES = {
    "GC": P(4050, 0.157, 0.14, 0.08),  # $/oz
    "SI": P(50, 0.15, 0.2, 0.12, GC=1.3),
    "PL": P(1550, 0.1, 0.2, 0.14, GC=0.6),
    "PA": P(1400, -0.1, 0.3, 0.2, GC=0.5),
    "HG": P(5.0, 0.08, 0.2, 0.12),  # $/lb
    "CL": P(59, 0.05, 0.32, 0.2),  # $/bbl
    "BZ": P(63, 0.05, 0.04, 0.02, CL=1.0),
    "NG": P(4.5, 0.1, 0.55, 0.35),  # $/MMBtu
    "RB": P(1.85, 0.05, 0.18, 0.1, CL=0.9),  # $/gal
    "HO": P(2.35, 0.05, 0.2, 0.12, CL=0.9),
    "ZC": P(430, 0.0, 0.22, 0.15),  # cents/bu
    "ZW": P(530, -0.04, 0.2, 0.15, ZC=0.7),
    "ZS": P(1120, -0.02, 0.16, 0.12, ZC=0.5),
    "ZL": P(50, 0.02, 0.22, 0.15, ZS=0.6),  # cents/lb
    "ZM": P(320, -0.04, 0.18, 0.12, ZS=0.8),  # $/short ton
    "KC": P(380, 0.23, 0.3, 0.2),  # cents/lb
    "SB": P(14.8, -0.03, 0.28, 0.18),
    "CC": P(5500, 0.16, 0.4, 0.3),  # $/t
    "CT": P(64, -0.05, 0.2, 0.13),
    "OJ": P(200, 0.1, 0.35, 0.25),
    "LE": P(225, 0.14, 0.13, 0.08),  # cents/lb
    "HE": P(82, 0.02, 0.22, 0.12),
    "GF": P(330, 0.17, 0.1, 0.05, LE=1.1),
    "ZO": P(300, -0.02, 0.25, 0.15, ZC=0.5),
    # Benchmarks beside the futures: LBMA auctions (spot, $/oz) and the OPEC basket follow
    # their futures; EIA's weekly crude stocks (thousand barrels); World Bank monthly averages.
    "XAU_LBMA": P(4030, 0.157, 0.03, 0.01, GC=1.0),
    "XAG_LBMA": P(49.5, 0.15, 0.04, 0.015, SI=1.0),
    "XPT_LBMA": P(1540, 0.1, 0.04, 0.015, PL=1.0),
    "XPD_LBMA": P(1390, -0.1, 0.04, 0.015, PA=1.0),
    "ORB": P(64.5, 0.05, 0.06, 0.03, BZ=1.0),
    "US_CRUDE_STOCKS": R(425000, 29000, 25000, W_FRI, 0, low=300000, high=550000),
    **{
        key: Spec(level, vol, band, drift, freq="MS")
        for key, (level, drift, vol, band) in {
            "WB_COPPER": (10800, 0.08, 0.2, 0.12),  # $/mt
            "WB_ALUMINUM": (2750, 0.03, 0.18, 0.1),
            "WB_NICKEL": (15000, -0.08, 0.25, 0.15),
            "WB_ZINC": (3050, 0.02, 0.2, 0.12),
            "WB_IRON_ORE": (104, -0.05, 0.25, 0.15),  # $/dmtu
            "WB_COAL_AUS": (112, -0.15, 0.35, 0.25),  # $/mt
            "WB_NGAS_EUR": (10.6, -0.05, 0.5, 0.35),  # $/mmbtu
            "WB_LNG_JP": (11.4, -0.03, 0.25, 0.15),
            "WB_WHEAT": (232, -0.05, 0.2, 0.12),  # $/mt
            "WB_MAIZE": (198, -0.03, 0.2, 0.12),
            "WB_COFFEE": (8.6, 0.25, 0.3, 0.2),  # $/kg
            "WB_SUGAR": (0.33, -0.1, 0.25, 0.15),
            "WB_SOYBEANS": (425, -0.03, 0.16, 0.1),  # $/mt
            "WB_RICE": (370, -0.1, 0.15, 0.1),
            "WB_PALM_OIL": (1020, 0.04, 0.22, 0.14),
            "WB_COTTON": (1.65, -0.06, 0.15, 0.1),  # $/kg
            "WB_COCOA": (5.8, 0.12, 0.4, 0.3),
        }.items()
    },
}

# Crypto trades every day; altcoins share bitcoin's swings.
CRYPTO = {
    key: P(level, drift, vol, band, **({"BTCUSD": beta} if beta else {}))
    for key, (level, drift, vol, band, beta) in {
        "BTCUSD": (87000, 0.3, 0.55, 0.35, 0),
        "ETHUSD": (2950, 0.32, 0.35, 0.25, 1.1),
        "BNBUSD": (860, 0.4, 0.35, 0.25, 0.8),
        "SOLUSD": (135, 0.5, 0.6, 0.4, 1.3),
        "XRPUSD": (2.1, 0.29, 0.6, 0.35, 1.0),
        "ADAUSD": (0.42, 0.0, 0.5, 0.35, 1.2),
        "DOGEUSD": (0.15, 0.1, 0.6, 0.4, 1.2),
        "TRXUSD": (0.28, 0.3, 0.35, 0.2, 0.7),
        "AVAXUSD": (14, -0.2, 0.55, 0.35, 1.3),
        "DOTUSD": (2.3, -0.3, 0.5, 0.3, 1.2),
        "LINKUSD": (13.5, 0.0, 0.5, 0.3, 1.2),
        "LTCUSD": (85, 0.0, 0.4, 0.25, 1.0),
        "BCHUSD": (560, 0.15, 0.45, 0.3, 1.0),
        "XLMUSD": (0.25, 0.0, 0.45, 0.3, 1.1),
        "ATOMUSD": (2.6, -0.3, 0.45, 0.3, 1.2),
        "UNIUSD": (6.3, -0.1, 0.5, 0.3, 1.2),
        "ETCUSD": (13.5, -0.05, 0.45, 0.3, 1.1),
        "FILUSD": (1.6, -0.4, 0.45, 0.3, 1.2),
        "APTUSD": (2.2, -0.3, 0.5, 0.3, 1.3),
        "NEARUSD": (1.9, -0.2, 0.5, 0.3, 1.3),
        "ARBUSD": (0.22, -0.3, 0.45, 0.3, 1.3),
        "OPUSD": (0.33, -0.3, 0.45, 0.3, 1.3),
        "AAVEUSD": (190, 0.1, 0.5, 0.3, 1.2),
        "ALGOUSD": (0.14, -0.2, 0.45, 0.3, 1.2),
        "HBARUSD": (0.14, 0.1, 0.55, 0.35, 1.2),
        "ICPUSD": (4.2, -0.3, 0.5, 0.3, 1.2),
        "SUIUSD": (1.6, 0.2, 0.6, 0.4, 1.4),
        "INJUSD": (6.3, 0.1, 0.6, 0.35, 1.3),
        "SHIBUSD": (0.0000085, 0.0, 0.5, 0.35, 1.2),
        "PEPEUSD": (0.0000045, 0.3, 0.7, 0.4, 1.5),
        "TONUSD": (1.6, 0.0, 0.45, 0.3, 0.8),
        "XMRUSD": (380, 0.2, 0.35, 0.25, 0.7),
    }.items()
}

# Units of each currency one US dollar buys; every pair is a ratio of two of these, so the
# crosses agree (EUR/JPY = EUR/USD × USD/JPY). "_USD" is the dollar's broad swing.
CURRENCIES = {
    code: P(level, drift, vol, band, _USD=beta)
    for code, (level, drift, vol, band, beta) in {
        "EUR": (1 / 1.155, 0.01, 0.05, 0.03, 1.0),
        "JPY": (156, 0.06, 0.08, 0.06, 0.8),
        "GBP": (1 / 1.31, 0.0, 0.06, 0.04, 1.0),
        "CHF": (0.805, -0.03, 0.06, 0.04, 1.0),
        "AUD": (1 / 0.65, 0.02, 0.07, 0.05, 0.9),
        "CAD": (1.40, 0.02, 0.04, 0.03, 0.5),
        "NZD": (1 / 0.565, 0.04, 0.07, 0.05, 0.9),
        "SEK": (9.45, 0.02, 0.07, 0.05, 1.1),
        "NOK": (10.15, 0.03, 0.08, 0.05, 1.0),
        "PLN": (3.66, 0.0, 0.08, 0.05, 1.1),
        "CZK": (20.9, -0.01, 0.07, 0.05, 1.1),
        "HUF": (330, 0.02, 0.1, 0.06, 1.2),
        "TRY": (42.5, 0.33, 0.1, 0.05, 0.3),
        "CNY": (7.08, 0.02, 0.03, 0.025, 0.3),
        "HKD": (7.78, 0.0, 0.005, 0.003, 0.0),  # pegged within 7.75–7.85
        "SGD": (1.30, -0.01, 0.04, 0.03, 0.6),
        "KRW": (1465, 0.04, 0.08, 0.05, 0.7),
        "INR": (89.5, 0.03, 0.04, 0.02, 0.3),
        "MXN": (18.4, -0.02, 0.11, 0.07, 0.6),
        "BRL": (5.35, 0.0, 0.14, 0.08, 0.6),
        "ZAR": (17.2, 0.03, 0.13, 0.07, 0.8),
        "ILS": (3.25, 0.0, 0.08, 0.05, 0.5),
        "THB": (32.2, 0.0, 0.06, 0.04, 0.6),
        "IDR": (16650, 0.03, 0.06, 0.03, 0.4),
        "MYR": (4.14, 0.0, 0.05, 0.04, 0.5),
        "PHP": (58.8, 0.02, 0.05, 0.03, 0.4),
        "TWD": (31.2, 0.02, 0.05, 0.03, 0.5),
        "LKR": (302, 0.1, 0.06, 0.05, 0.2),
    }.items()
}
# The krone is pegged to the euro: its units per dollar are the euro's times EUR/DKK.
EURDKK = Spec(7.46, 0.002, 0.001)

VOLATILITY = {
    "VIX": Spec(17, 1.0, 0.22, low=9, decimals=2, factors=(("SPX", -3.0),)),
    "VIX9D": P(16, 0, 0.8, 0.06, VIX=1.25),
    "VIX3M": P(19.5, 0, 0.3, 0.04, VIX=0.7),
    "VIX6M": P(21, 0, 0.25, 0.04, VIX=0.55),
    "VVIX": P(95, 0, 0.8, 0.12, VIX=0.5),
    "SKEW": P(145, 0, 0.4, 0.04),
    "MOVE": P(75, 0, 0.8, 0.25),
    "OVX": P(32, 0, 0.9, 0.25, VIX=0.3),
    "GVZ": P(22, 0, 0.8, 0.2, VIX=0.2),
    "VXN": P(22, 0, 0.3, 0.05, VIX=1.0),
    "DVOL_BTC": P(48, 0, 1.0, 0.25),
    "DVOL_ETH": P(70, 0, 0.6, 0.1, DVOL_BTC=0.9),
}
VOLATILITY = {key: replace(spec, decimals=2) for key, spec in VOLATILITY.items()}  # index points, 2 decimals

# Sentiment as the sources publish it: CNN's components are raw readings (the S&P 500 level,
# the VIX, a put/call average, the junk-minus-investment-grade spread, return differences).
SENTIMENT = {
    "PUT_CALL_SPX_VOLUME": Spec(1.2, 1.8, 0.15, decimals=4, factors=(("SPX", -1.0),)),
    "PUT_CALL_SPX_OI": Spec(1.6, 0.6, 0.08, decimals=4),
    "PUT_CALL_SPY_VOLUME": Spec(1.1, 1.8, 0.15, decimals=4, factors=(("SPX", -1.0),)),
    "FEAR_GREED": R(45, 100, 12, decimals=1, low=3, high=97, SPX=150),
    "CRYPTO_FEAR_GREED": R(40, 150, 18, decimals=0, low=5, high=95, BTCUSD=60),
    "FG_PUT_CALL": Spec(0.75, 0.5, 0.1, decimals=4, factors=(("SPX", -1.0),)),
    "FG_SAFE_HAVEN": R(1.5, 20, 3.0, decimals=4, SPX=30),
    "FG_STRENGTH": R(1.5, 25, 4.0, decimals=4, SPX=50),
    "FG_BREADTH": R(1000, 2000, 600, decimals=2, SPX=3000),
    # AAII's weekly survey (reported Thursdays), percent of respondents; bearish is the rest
    # (jobs/demo/series.py DERIVED), so the three shares add up to 100.
    "AAII_BULLISH": R(37.5, 40, 8, W_THU, decimals=2, low=18, high=58),
    "AAII_NEUTRAL": R(31, 30, 5, W_THU, decimals=2, low=18, high=38),
}
