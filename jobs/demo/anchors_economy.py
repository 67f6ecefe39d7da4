"""Anchors of the economic series: FRED and official statistics, World Bank and IMF figures,
US states' series (drawn from each state's size), and the level ranges of keys with no anchor."""

from __future__ import annotations

import re
import zlib

from jobs.demo.specs import W_FRI, W_MON, W_SAT, W_WED, G, P, R, Spec

# FRED and official statistics. Units as published: B = billions, M = millions of dollars,
# K = thousands; SAAR = seasonally adjusted annual rate.
ECONOMY = {
    # Labour (monthly unless noted)
    "UNRATE": R(4.4, 0.35, 0.45, "MS", 1, low=3.4),
    "_U6GAP": R(3.7, 0.3, 0.25, "MS", 1, low=2.8),  # U-6 = U-3 + this gap
    "PAYEMS": G(159600, 0.013, vol=0.002, band=0.004, decimals=0),  # K persons
    "MANEMP": G(12700, 0.003, vol=0.004, band=0.01, decimals=0),
    "USCONS": G(8300, 0.02, vol=0.005, band=0.01, decimals=0),
    "USGOVT": G(23500, 0.012, vol=0.002, band=0.004, decimals=0),
    "CLF16OV": G(171000, 0.008, vol=0.003, band=0.004, decimals=0),
    "CIVPART": R(62.4, 0.25, 0.2, "MS", 1),
    "EMRATIO": R(59.7, 0.3, 0.25, "MS", 1),
    "LNS11300060": R(83.5, 0.3, 0.3, "MS", 1),
    "LNS12300060": R(80.7, 0.35, 0.3, "MS", 1),
    "LNS14000006": R(7.5, 0.9, 0.6, "MS", 1, low=4.8),  # Black
    "LNS14000009": R(5.5, 0.7, 0.5, "MS", 1, low=3.8),  # Hispanic
    "LNU04032183": R(3.6, 0.8, 0.5, "MS", 1, low=2.3),  # Asian
    "UEMPMEAN": R(24.1, 3.0, 2.0, "MS", 1, low=17),  # weeks
    "ICSA": Spec(220000, 0.35, 0.08, freq=W_SAT, decimals=0),  # persons
    "CCSA": Spec(1950000, 0.15, 0.08, 0.02, W_SAT, decimals=0),
    "JTSJOL": G(7200, -0.08, vol=0.08, band=0.05, decimals=0),  # K
    "JTSQUR": R(1.9, 0.25, 0.15, "MS", 1, drift=-0.15),  # %
    "AHETPI": G(31.7, 0.045, vol=0.004, band=0.004, decimals=2),  # $/hour
    "CES0500000003": G(36.7, 0.042, vol=0.004, band=0.004, decimals=2),
    "CES0500000030": G(1070, 0.045, vol=0.006, band=0.005, decimals=2),  # $/week
    "CES3000000008": G(29.0, 0.045, vol=0.005, band=0.005, decimals=2),
    "AWHAETP": R(34.2, 0.25, 0.15, "MS", 1),  # hours
    "AWHMAN": R(40.0, 0.35, 0.3, "MS", 1),
    "CES0600000007": R(40.5, 0.35, 0.3, "MS", 1),
    "ECIALLCIV": G(172, 0.04, "QS", 0.004, 0.004, 1),  # index Dec 2005 = 100
    "OPHNFB": G(117, 0.018, "QS", 0.008, 0.006, 3),  # index 2017 = 100
    "ULCNFB": G(128, 0.03, "QS", 0.012, 0.008, 3),
    # Prices (monthly index levels, 1982-84 = 100 unless noted)
    "CPIAUCSL": G(324.5, 0.038, vol=0.006, band=0.006, decimals=3),
    "CPILFESL": G(331.0, 0.036, vol=0.005, band=0.005, decimals=3),
    "CPIENGSL": G(285, 0.05, vol=0.07, band=0.07, decimals=3),
    "CPIUFDSL": G(340, 0.04, vol=0.008, band=0.008, decimals=3),
    "CPIAPPSL": G(131, 0.015, vol=0.015, band=0.01, decimals=3),
    "CPIMEDSL": G(580, 0.03, vol=0.006, band=0.006, decimals=3),
    "CPITRNSL": G(275, 0.045, vol=0.03, band=0.03, decimals=3),
    "CUSR0000SACL1E": G(168, 0.02, vol=0.008, band=0.008, decimals=3),
    "CUSR0000SAF11": G(315, 0.04, vol=0.01, band=0.01, decimals=3),
    "CUSR0000SAH1": G(420, 0.05, vol=0.004, band=0.005, decimals=3),
    "CUSR0000SASLE": G(440, 0.045, vol=0.004, band=0.005, decimals=3),
    "CUSR0000SEHA": G(435, 0.055, vol=0.003, band=0.005, decimals=3),
    "CUSR0000SEHF01": G(285, 0.05, vol=0.03, band=0.03, decimals=3),
    "CUSR0000SETB01": G(290, 0.04, vol=0.12, band=0.1, decimals=3),
    "PCEPI": G(127.6, 0.035, vol=0.005, band=0.005, decimals=3),  # 2017 = 100
    "PCEPILFE": G(126.6, 0.033, vol=0.004, band=0.004, decimals=3),
    "PPIACO": G(262, 0.05, vol=0.04, band=0.04, decimals=3),  # 1982 = 100
    "PPIFIS": G(149.5, 0.04, vol=0.01, band=0.01, decimals=3),  # Nov 2009 = 100
    "PCU325211325211": G(295, 0.02, vol=0.08, band=0.08, decimals=3),
    "WPU0911": G(270, 0.02, vol=0.06, band=0.06, decimals=3),
    "MEDCPIM158SFRBCLE": R(3.3, 2.0, 0.7, "MS", 2, low=0.5),  # % annualised
    "STICKCPIM157SFRBATL": R(3.1, 2.0, 0.8, "MS", 2, low=0.5),
    "PCETRIM12M159SFRBDAL": R(2.7, 0.6, 0.5, "MS", 2, low=1.5, drift=-0.1),
    "T5YIE": R(2.35, 0.5, 0.2, low=1.2),  # breakevens, daily %
    "T10YIE": R(2.27, 0.2, 0.07, low=1.2, T5YIE=0.6),
    "MICH": R(4.5, 1.5, 0.7, "MS", 1, low=2.2),
    "APU0000708111": G(3.49, 0.1, vol=0.35, band=0.3, decimals=3),  # $/dozen
    "GASREGW": Spec(3.05, 0.25, 0.12, 0.02, W_MON, decimals=3),  # $/gal
    # Output, spending, income (quarterly SAAR billions; GDP and real GDP are DERIVED)
    "A191RL1Q225SBEA": R(2.5, 3.5, 1.6, "QS", 1, low=-3, high=7.5),  # % q/q annualised
    "_GDPDEF": G(1.2929, 0.03, "QS", 0.006, 0.004),  # GDP / real GDP
    "GDPPOT": G(23800, 0.021, "QS", 0.002, 0.002, 2),
    "GCE": G(5350, 0.06, "QS", 0.01, 0.01, 3),
    "GPDI": G(5400, 0.05, "QS", 0.04, 0.03, 3),
    "PNFI": G(4100, 0.06, "QS", 0.02, 0.02, 3),
    "PRFI": G(1160, 0.04, "QS", 0.06, 0.05, 3),
    "EXPGS": G(3250, 0.05, "QS", 0.04, 0.03, 3),
    "IMPGS": G(4150, 0.05, "QS", 0.04, 0.03, 3),
    "CP": G(3300, 0.07, "QS", 0.05, 0.04, 3),
    "CPGDPAI": R(10.5, 0.8, 0.6, "QS", 2, low=7),  # % of GDP
    "A091RC1Q027SBEA": G(1210, 0.1, "QS", 0.03, 0.03, 3),  # federal interest payments
    "W006RC1Q027SBEA": G(3450, 0.07, "QS", 0.04, 0.03, 3),  # federal tax receipts
    "FGEXPND": G(7600, 0.06, "QS", 0.03, 0.02, 3),
    "FGRECPT": G(5600, 0.07, "QS", 0.04, 0.03, 3),
    "PCE": G(21100, 0.06, vol=0.006, band=0.005, decimals=1),  # monthly SAAR B
    "PCEDG": G(2270, 0.04, vol=0.02, band=0.02, decimals=1),
    "PCEND": G(4500, 0.05, vol=0.01, band=0.01, decimals=1),
    "PCES": G(14300, 0.065, vol=0.004, band=0.004, decimals=1),
    "PI": G(25800, 0.055, vol=0.006, band=0.005, decimals=1),
    "DSPIC96": G(17700, 0.015, vol=0.01, band=0.008, decimals=1),  # chained 2017 B
    "PSAVERT": R(4.6, 1.0, 0.8, "MS", 1, low=2.0),
    "INDPRO": G(103.9, 0.005, vol=0.012, band=0.012, decimals=4),  # 2017 = 100
    "IPB50001N": G(103.5, 0.005, vol=0.025, band=0.02, decimals=4),
    "IPMAN": G(100.5, 0.003, vol=0.012, band=0.012, decimals=4),
    "IPMINE": G(113, 0.02, vol=0.03, band=0.03, decimals=4),
    "IPUTIL": G(104, 0.01, vol=0.06, band=0.04, decimals=4),
    "TCU": R(77.3, 1.0, 0.8, "MS", 4),  # % of capacity
    "CAPUTLG2211S": R(72, 3.0, 2.5, "MS", 4),
    "CFNAI": R(-0.1, 1.0, 0.3, "MS", 2),
    "USSLIND": R(1.2, 0.8, 0.6, "MS", 2),
    "GACDFSA066MSFRBPHI": R(-1.7, 40, 12, "MS", 1),  # diffusion index
    "GACDISA066MSFRBNY": R(5.0, 35, 10, "MS", 1),
    "UMCSENT": R(51.0, 10, 8, "MS", 1, low=48),
    "USREC": R(0, 0, 0, "MS", 0),  # no recession in the demo
    # Retail, orders, inventories (monthly, millions of dollars)
    "RSAFS": G(732000, 0.05, vol=0.012, band=0.01, decimals=0),
    "RSXFS": G(633000, 0.05, vol=0.012, band=0.01, decimals=0),
    "RRSFS": G(228000, 0.01, vol=0.012, band=0.01, decimals=0),  # 1982-84 dollars
    "RSFSDP": G(99000, 0.06, vol=0.012, band=0.01, decimals=0),
    "RSGASS": G(53000, 0.02, vol=0.06, band=0.06, decimals=0),
    "RSNSR": G(128000, 0.08, vol=0.015, band=0.012, decimals=0),
    "DGORDER": G(310000, 0.03, vol=0.06, band=0.04, decimals=0),
    "AMDMNO": G(305000, 0.03, vol=0.06, band=0.04, decimals=0),
    "AMDMUO": G(1520000, 0.05, vol=0.008, band=0.01, decimals=0),
    "AMTMNO": G(605000, 0.03, vol=0.03, band=0.025, decimals=0),
    "ACOGNO": G(280000, 0.03, vol=0.03, band=0.025, decimals=0),
    "TTLCONS": G(2150000, 0.05, vol=0.01, band=0.015, decimals=0),  # construction spending SAAR
    "NEWORDER": G(75000, 0.04, vol=0.02, band=0.02, decimals=0),
    "BUSINV": G(2670000, 0.04, vol=0.004, band=0.006, decimals=0),
    "ISRATIO": R(1.37, 0.03, 0.02, "MS", 2),
    "MNFCTRIRSA": R(1.56, 0.04, 0.03, "MS", 2),
    "RETAILIRSA": R(1.30, 0.04, 0.03, "MS", 2),
    "WHLSLRIRSA": R(1.33, 0.04, 0.03, "MS", 2),
    "ALTSALES": Spec(15.6, 0.15, 0.06, freq="MS", decimals=3),  # M units SAAR
    "TOTALSA": Spec(15.9, 0.15, 0.06, freq="MS", decimals=3),
    "LTOTALNSA": G(1330, 0.0, vol=0.15, band=0.08, decimals=1),  # K units
    "TRFVOLUSM227NFWA": G(285000, 0.01, vol=0.08, band=0.05, decimals=0),  # M miles
    "VMTD11": G(3290000, 0.01, vol=0.01, band=0.01, decimals=0),
    # Housing (monthly SAAR thousands unless noted)
    "HOUST": G(1310, 0.0, vol=0.25, band=0.08, decimals=0),
    "HOUST1F": G(890, 0.0, vol=0.25, band=0.08, decimals=0),
    "HOUST5F": G(400, 0.0, vol=0.35, band=0.12, decimals=0),
    "PERMIT": G(1330, 0.0, vol=0.2, band=0.08, decimals=0),
    "PERMITNSA": G(110, 0.0, vol=0.3, band=0.12, decimals=1),
    "COMPUTSA": G(1400, 0.02, vol=0.25, band=0.1, decimals=0),
    "UNDCONTSA": G(1330, -0.05, vol=0.03, band=0.03, decimals=0),
    "HSN1F": G(680, 0.0, vol=0.3, band=0.1, decimals=0),
    "NHSUSSPT": G(56, 0.0, vol=0.3, band=0.12, decimals=0),
    "EXHOSLUSM495S": G(4100000, -0.03, vol=0.15, band=0.07, decimals=0),  # units SAAR
    "MSACSR": R(9.0, 2.0, 1.0, "MS", 1, low=3.5),  # months' supply
    "CSUSHPINSA": G(330, 0.075, vol=0.01, band=0.02, decimals=3),  # Jan 2000 = 100
    "MSPUS": G(410000, 0.045, "QS", 0.03, 0.025, 0),  # $
    "USSTHPI": G(710, 0.07, "QS", 0.01, 0.02, 2),  # 1980 Q1 = 100
    "HCOVACRATE": R(1.1, 0.15, 0.1, "QS", 1, low=0.7),
    "RHORUSQ156N": R(65.0, 0.5, 0.4, "QS", 1),
    "RRVRUSQ156N": R(7.1, 0.5, 0.4, "QS", 1),
    "EVACANTUSQ176N": G(15400, 0.0, "QS", 0.02, 0.02, 0),  # K units
    # Money, credit, the Fed's balance sheet (billions unless noted)
    "M1SL": G(18900, -0.016, vol=0.01, band=0.02, decimals=1),
    "M2SL": G(22200, 0.006, vol=0.01, band=0.03, decimals=1),
    "WM2NS": Spec(22250, 0.015, 0.03, 0.006, W_MON, decimals=1),
    "M2V": G(1.39, 0.03, "QS", 0.01, 0.02, 3),  # ratio
    "MABMM301USM189S": G(2.23e13, 0.006, vol=0.01, band=0.03, decimals=0),  # dollars
    "BOGMBASE": G(5700000, 0.02, vol=0.04, band=0.06, decimals=0),  # millions
    "CURRCIR": G(2400, 0.03, vol=0.004, band=0.004, decimals=1),
    "TOTRESNS": G(2900, 0.0, vol=0.12, band=0.1, decimals=1),
    "WRESBAL": Spec(2880, 0.15, 0.08, 0.0, W_WED, decimals=1),
    "WALCL": Spec(6550000, 0.02, 0.04, -0.06, W_WED, decimals=0),  # millions
    "TREAST": Spec(4190000, 0.02, 0.03, -0.06, W_WED, decimals=0),
    "WSHOMCB": Spec(2080000, 0.01, 0.02, -0.06, W_WED, decimals=0),
    "RRPONTSYD": G(15, -0.85, "B", 1.2, 0.35, 3),  # overnight reverse repos (~2 tn $ in 2022, near 0 late 2025)
    "TOTLL": Spec(12900, 0.01, 0.01, 0.05, W_WED, decimals=1),
    "BUSLOANS": G(2800, 0.01, vol=0.01, band=0.03, decimals=1),
    "REVOLSL": G(1320, 0.06, vol=0.01, band=0.01, decimals=2),
    "TOTALSL": G(5080, 0.05, vol=0.005, band=0.006, decimals=2),
    "DRBLACBS": R(1.15, 0.15, 0.12, "QS", 2, low=0.6),  # delinquency %
    "DRCCLACBS": R(3.05, 0.3, 0.25, "QS", 2, low=1.5),
    "DRSFRMACBS": R(1.75, 0.2, 0.15, "QS", 2, low=1.2),
    "DRTSCILM": R(-6, 20, 12, "QS", 1),  # net % of banks tightening
    "MDSP": R(4.0, 0.15, 0.15, "QS", 2),  # % of disposable income
    "TDSP": R(11.3, 0.25, 0.25, "QS", 2),
    "NFCI": R(-0.52, 0.15, 0.1, W_FRI, 5),
    "ANFCI": R(-0.52, 0.15, 0.1, W_FRI, 5),
    "STLFSI4": R(-0.6, 1.0, 0.4, W_FRI, 4),
    "THREEFYTP10": R(0.6, 0.6, 0.35, "B", 4),  # % term premium
    "TEDRATE": R(0.12, 0.08, 0.05, "B", 2, low=0.02),
    "SOFRVOL": G(2900, 0.2, "B", 0.4, 0.15, 0),  # billions traded
    "EFFRVOL": G(95, -0.02, "B", 0.4, 0.1, 0),
    # Government (millions of dollars)
    "GFDEBTN": G(37600000, 0.07, "QS", 0.005, 0.008, 0),
    "GFDEGDQ188S": R(120, 2.0, 2.0, "QS", 3, drift=0.5),  # % of GDP
    "FDHBFIN": G(9100, 0.03, "QS", 0.02, 0.02, 0),  # billions
    "FDHBFRBN": G(4200, -0.04, "QS", 0.03, 0.04, 0),
    "FYFSD": R(-1775000, 250000, 250000, "YS", 0, high=-300000),  # fiscal years
    "MTSDS133FMS": R(-180000, 250000, 120000, "MS", 0),  # monthly surplus(+)/deficit(-)
    "US_PUBLIC_DEBT": G(3.84e13, 0.075, "B", 0.004, 0.004, 2),  # dollars, daily
    # The crypto market (CoinGecko /global): its value moves with bitcoin's; shares in %, dollars
    "CRYPTO_TOTAL_MARKET_CAP": P(3.0e12, 0.3, 0.12, 0.08, BTCUSD=0.95),
    "CRYPTO_BTC_DOMINANCE": R(58.5, 3.0, 4.0, "B", 2, low=38, high=72),
    "CRYPTO_ETH_DOMINANCE": R(12.0, 1.5, 2.0, "B", 2, low=7, high=20),
    "CRYPTO_STABLECOIN_CAP": G(2.6e11, 0.3, "B", 0.03, 0.04, 0),  # Tether + USD Coin
    # Trade (millions of dollars)
    "BOPGSTB": R(-60000, 40000, 15000, "MS", 0, high=-20000),
    "IEABC": R(-250000, 100000, 60000, "QS", 0, high=-50000),
    # The dollar against baskets of currencies, Jan 2006 = 100, shares the dollar's swing
    "DTWEXBGS": P(120.5, 0.0, 0.01, 0.005, _USD=1.0),
    "DTWEXAFEGS": P(115, 0.0, 0.015, 0.008, _USD=1.1),
    "DTWEXEMEGS": P(128, 0.0, 0.015, 0.008, _USD=0.7),
    # 3-month interbank rates (OECD, monthly, %) of the carry page; the US one follows the demo
    # curve (jobs/demo/series.py DERIVED)
    "IR3TIB01EZM156N": R(2.05, 0.6, 0.9, "MS", 2, low=-0.6),
    "IR3TIB01GBM156N": R(3.95, 0.6, 0.9, "MS", 2, low=0.05),
    "IR3TIB01JPM156N": R(0.65, 0.15, 0.25, "MS", 2, low=-0.1),
    "IR3TIB01CHM156N": R(0.0, 0.4, 0.6, "MS", 2, low=-0.8),
    "IR3TIB01CAM156N": R(2.35, 0.6, 0.9, "MS", 2, low=0.2),
    "IR3TIB01AUM156N": R(3.6, 0.5, 0.8, "MS", 2, low=0.1),
    "IR3TIB01NZM156N": R(2.6, 0.7, 1.0, "MS", 2, low=0.25),
    "IR3TIB01KRM156N": R(2.55, 0.5, 0.7, "MS", 2, low=0.6),
    "IR3TIB01MXM156N": R(7.4, 0.9, 1.3, "MS", 2, low=4.0),
    "IR3TIB01ZAM156N": R(7.0, 0.6, 0.9, "MS", 2, low=3.5),
    "IRSTCI01BRM156N": R(14.9, 1.5, 2.2, "MS", 2, low=2.0),
    # Latent factors (not instruments): the short rate, the 10-year, the credit cycle, the dollar
    "_SHORT": R(3.95, 0.6, 0.7, low=0.05),
    "_L10": R(0.0, 0.85, 0.35, _SHORT=0.35),
    "_D20": Spec(0.58, 0.45, 0.15),  # 20-year minus 10-year
    "_D30": R(0.04, 0.2, 0.1),  # 30-year minus 20-year
    "_CREDIT": Spec(1.0, 0.35, 0.12, factors=(("SPX", -1.2),)),
    "_USD": Spec(1.0, 0.06, 0.05),
    "_MORTSPREAD": Spec(2.13, 0.2, 0.08, factors=(("_CREDIT", 0.3),)),  # 30-year mortgage - 10Y
    # Rates & macro dashboards (issue 16)
    "WTREGEN": Spec(880000, 0.35, 0.3, 0.05, W_WED, decimals=0),  # Treasury General Account, millions
    "RECPROUSM156N": R(0.8, 1.2, 1.0, "MS", 2, low=0.02, high=100),  # % probability
    "PCEC96": G(16600, 0.025, vol=0.006, band=0.005, decimals=1),  # chained 2017 B, SAAR
    "BACTSAMFRBDAL": R(-5.0, 30, 10, "MS", 1),  # diffusion index
    "FYFSGDA188S": R(-5.9, 1.5, 1.5, "YS", 1, high=-2.0),  # % of GDP, fiscal years
    "FYOIGDA188S": R(3.2, 0.2, 0.15, "YS", 1, drift=0.35, low=1.4),  # % of GDP, fiscal years
    # Latent paths of other central banks' policy rates (the demo steps them: generator.py),
    # drifting up from the floors of 2021 (ECB -0.5 %, Bank Rate 0.1 %, RBA 0.1 %)
    "_ECB": R(2.0, 0.8, 1.2, drift=0.45, low=-0.6),
    "_BOE": R(4.0, 0.8, 1.2, drift=0.6, low=0.0),
    "_BOJ": R(0.5, 0.2, 0.2, drift=0.12, low=-0.2),
    "_BOC": R(2.25, 0.8, 1.0, drift=0.3, low=0.1),
    "_RBA": R(3.6, 0.7, 1.0, drift=0.55, low=0.0),
    # 10-year government yields late in 2025 (monthly averages, %) beyond what they share with
    # the US 10-year; the drift lifts them from their 2021 lows (Bunds and JGBs near zero)
    "_IRLT_DE": R(2.63, 0.35, 0.35, "MS", 4, drift=0.5),
    "_IRLT_GB": R(4.45, 0.4, 0.35, "MS", 4, drift=0.55),
    "_IRLT_JP": R(1.70, 0.15, 0.15, "MS", 4, drift=0.32),
    "_IRLT_FR": R(3.45, 0.35, 0.35, "MS", 4, drift=0.6),
    "_IRLT_IT": R(3.40, 0.45, 0.4, "MS", 4, drift=0.45),
    "_IRLT_ES": R(3.15, 0.4, 0.35, "MS", 4, drift=0.5),
    "_IRLT_CA": R(3.15, 0.35, 0.3, "MS", 4, drift=0.35),
    "_IRLT_AU": R(4.35, 0.4, 0.35, "MS", 4, drift=0.5),
    "_IRLT_CH": R(0.15, 0.25, 0.25, "MS", 4, drift=0.05),
}

# World Bank (latest annual) and IMF WEO (current year): growth, inflation, unemployment.
WORLD = {
    "GDP_GROWTH": {"USA": 2.8, "CHN": 5.0, "JPN": 0.1, "DEU": -0.2, "GBR": 1.1, "FRA": 1.2, "IND": 6.5,
                   "BRA": 3.4, "CAN": 1.5, "KOR": 2.0},
    "INFLATION": {"USA": 2.9, "CHN": 0.2, "JPN": 2.7, "DEU": 2.3, "GBR": 3.3, "FRA": 2.0, "IND": 4.9,
                  "BRA": 4.4, "CAN": 2.4, "KOR": 2.3},
    "UNEMPLOYMENT": {"USA": 4.1, "CHN": 4.6, "JPN": 2.5, "DEU": 3.4, "GBR": 4.1, "FRA": 7.4, "IND": 4.2,
                     "BRA": 6.9, "CAN": 6.4, "KOR": 2.8},
}  # fmt: skip
IMF_CURRENT = {
    "GDP_GROWTH": {"USA": 2.0, "CHN": 4.8, "JPN": 1.1, "DEU": 0.2, "GBR": 1.3, "FRA": 0.7, "IND": 6.6,
                   "BRA": 2.4, "CAN": 1.2, "KOR": 0.9},
    "INFLATION": {"USA": 2.7, "CHN": 0.0, "JPN": 3.3, "DEU": 2.1, "GBR": 3.4, "FRA": 1.1, "IND": 2.8,
                  "BRA": 5.2, "CAN": 2.0, "KOR": 2.0},
    "GOV_DEBT": {"USA": 125.0, "CHN": 96.3, "JPN": 230.0, "DEU": 64.4, "GBR": 103.4, "FRA": 116.5, "IND": 81.4,
                 "BRA": 91.4, "CAN": 112.5, "KOR": 54.5},  # % of GDP
}  # fmt: skip
# AMECO (via DBnomics): unemployment, Eurostat definition, latest full year (2024).
AMECO_LATEST = {"UNEMPLOYMENT": {"EMU": 6.4, "DEU": 3.4, "FRA": 7.4, "ITA": 6.5, "ESP": 11.4}}
WORLD_SPREAD = {
    "GDP_GROWTH": (1.8, -3.0),
    "INFLATION": (2.0, -1.0),
    "UNEMPLOYMENT": (0.6, 1.5),
    "GOV_DEBT": (3.0, 10.0),
}  # (band, low)

# US states: population (millions), per-capita personal income ($ thousands), unemployment (%).
STATES = {
    "AL": (5.16, 55, 3.0), "AK": (0.74, 75, 4.7), "AZ": (7.58, 63, 4.1), "AR": (3.09, 55, 3.7),
    "CA": (39.4, 86, 5.5), "CO": (5.96, 80, 4.5), "CT": (3.68, 93, 3.8), "DE": (1.05, 68, 4.3),
    "DC": (0.70, 108, 6.0), "FL": (23.4, 72, 3.7), "GA": (11.2, 62, 3.4), "HI": (1.45, 72, 2.7),
    "ID": (2.0, 60, 3.6), "IL": (12.7, 77, 4.6), "IN": (6.92, 62, 3.6), "IA": (3.24, 65, 3.6),
    "KS": (2.97, 67, 3.8), "KY": (4.59, 56, 5.0), "LA": (4.6, 59, 4.4), "ME": (1.41, 66, 3.3),
    "MD": (6.26, 79, 3.7), "MA": (7.14, 99, 4.8), "MI": (10.1, 62, 5.3), "MN": (5.79, 76, 3.4),
    "MS": (2.94, 50, 3.9), "MO": (6.25, 64, 4.4), "MT": (1.14, 66, 3.1), "NE": (2.01, 70, 3.0),
    "NV": (3.27, 67, 5.5), "NH": (1.41, 84, 2.7), "NJ": (9.5, 87, 4.9), "NM": (2.13, 56, 4.4),
    "NY": (19.9, 90, 4.3), "NC": (11.0, 64, 3.7), "ND": (0.80, 78, 2.6), "OH": (11.9, 64, 4.8),
    "OK": (4.1, 60, 3.1), "OR": (4.27, 70, 5.0), "PA": (13.1, 73, 3.9), "RI": (1.11, 73, 4.7),
    "SC": (5.48, 60, 4.3), "SD": (0.92, 73, 1.9), "TN": (7.23, 64, 3.6), "TX": (31.3, 69, 4.1),
    "UT": (3.5, 64, 3.2), "VT": (0.65, 69, 2.5), "VA": (8.81, 76, 3.6), "WA": (7.96, 88, 4.6),
    "WV": (1.77, 54, 4.2), "WI": (5.96, 67, 3.2), "WY": (0.59, 88, 3.3),
}  # fmt: skip
STATE_SERIES = re.compile(
    r"^(?:(?P<code>[A-Z]{2})(?P<measure>UR|NA|MFG|CONS|GOVT|ICLAIMS|CCLAIMS|BPPRIVSA|RGSP|NGSP|POP|PCPI|OTOT|STHPI|PHCI)"
    r"|MEHOINUS(?P<code2>[A-Z]{2})A672N)$"
)
WORLD_SERIES = re.compile(
    r"^(?P<src>WB|IMF|AMECO)_(?P<what>GDP_GROWTH|INFLATION|UNEMPLOYMENT|GOV_DEBT)_(?P<country>[A-Z]{3})$"
)


def _unit(key: str, salt: str = "") -> float:
    """A deterministic number in [0, 1) for ``key``."""
    return zlib.crc32(f"{key}{salt}".encode()) / 2**32


def _state_spec(code: str, measure: str) -> Spec:
    """A state-level FRED series, scaled by the state's size and income."""
    pop, income, rate = STATES[code]
    u = _unit(code, measure)
    payroll = pop * 475  # thousands of jobs
    claims = pop * 650 * rate / 4  # initial claims a week
    specs = {
        "UR": R(rate, 0.4, 0.4, "MS", 1, low=1.5),
        "NA": G(payroll, 0.012, vol=0.003, band=0.006, decimals=1),
        "MFG": G(payroll * (0.002 if code == "DC" else 0.04 + 0.1 * u), 0.003, vol=0.006, band=0.01, decimals=1),
        "CONS": G(payroll * (0.045 + 0.025 * u), 0.02, vol=0.01, band=0.015, decimals=1),
        "GOVT": G(payroll * (0.3 if code == "DC" else 0.12 + 0.08 * u), 0.01, vol=0.003, band=0.005, decimals=1),
        "ICLAIMS": Spec(round(claims), 0.5, 0.12, freq=W_SAT, decimals=0),
        "CCLAIMS": Spec(round(claims * 8), 0.2, 0.1, 0.02, W_SAT, decimals=0),
        "BPPRIVSA": G(pop * 350 * (0.6 + u), 0.0, vol=0.35, band=0.12, decimals=0),
        "RGSP": G(pop * income * 950, 0.02, "YS", 0.015, 0.01, 1),  # millions of chained 2017 $
        "NGSP": G(pop * income * 1210, 0.055, "YS", 0.015, 0.01, 1),  # millions of $
        "POP": G(pop * 1000, 0.005, "YS", 0.002, 0.002, 3),  # thousands
        "PCPI": G(income * 1000, 0.05, "YS", 0.015, 0.01, 0),  # $
        "OTOT": G(pop * income * 1000, 0.055, "QS", 0.01, 0.01, 1),  # millions of $ SAAR
        "STHPI": G(350 + 550 * u, 0.065, "QS", 0.01, 0.02, 2),  # 1980 Q1 = 100
        "PHCI": G(115 + 50 * u, 0.02, vol=0.005, band=0.008, decimals=2),  # 2007 = 100
        "MEHOINUS": G(income * 1120, 0.005, "YS", 0.025, 0.025, 0),  # 2023 $
    }
    return specs[measure]


def _world_spec(src: str, what: str, country: str) -> Spec | None:
    table_ = {"IMF": IMF_CURRENT, "AMECO": AMECO_LATEST}.get(src, WORLD)
    level = table_.get(what, {}).get(country)
    if level is None:
        return None
    band, low = WORLD_SPREAD[what]
    return R(level, band, band, "YS", 1, low=low)


# Other instruments (custom catalogs): a level drawn for the key within its dataset's range.
FALLBACK = {
    "market_indices": (100, 30000, P(1, 0.06, 0.16, 0.1)),
    "equities": (20, 900, P(1, 0.06, 0.28, 0.15)),
    "commodities": (2, 3000, P(1, 0.02, 0.25, 0.15)),
    "forex_rates": (0.6, 160, P(1, 0.0, 0.07, 0.05)),
    "crypto_prices": (0.05, 90000, P(1, 0.1, 0.6, 0.35)),
    "volatility_indicators": (12, 30, P(1, 0.0, 0.9, 0.25)),
    "credit_spreads": (0.8, 4.5, Spec(1, 0.35, 0.2)),
    "economic_indicators": (1, 500, G(1, 0.02, "B", 0.05, 0.05)),
    "fred_series": (1, 500, G(1, 0.02, "B", 0.05, 0.05)),
    "sentiment_indicators": (30, 70, R(1, 1.5, 0.2, low=0, high=100)),
}
