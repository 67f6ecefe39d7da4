"""Demo data that looks like markets (issue 12): every synthetic series starts and moves within
its instrument's real range, unit and frequency; curves and spreads keep their order at every
date; FRED copies agree with the market series they copy. Generated in memory (no database)."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest

from config.catalog import Instrument, Provider, load_catalog
from config.settings import load_settings
from datasources.validate import validate_cot_positions, validate_rows
from jobs.demo.cot import ANCHORS, demo_cot_positions
from jobs.demo.generator import CURVE, LONG_END, DemoSeries
from jobs.demo.seed import demo_frame
from jobs.demo.series import is_known, spec_for
from jobs.demo.specs import ROW_DATASETS

# A fixed five-year window (the seeding window ends yesterday; a fixed one keeps the tests
# deterministic across days).
DAYS = pd.bdate_range("2021-12-06", "2026-12-04")
CALENDAR_DAYS = pd.date_range("2021-12-06", "2026-12-04")
TENORS = {"1M": 1, "2M": 2, "3M": 3, "4M": 4, "6M": 6, "1Y": 12, "2Y": 24, "3Y": 36, "5Y": 60, "7Y": 84,
          "10Y": 120, "20Y": 240, "30Y": 360}  # fmt: skip
YEARS = 5
NOW = datetime(2026, 12, 5, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo() -> DemoSeries:
    return DemoSeries(DAYS)


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(load_settings({}))


def curve(demo: DemoSeries) -> pd.DataFrame:
    return pd.DataFrame({t: demo.values(t, "treasury_yields") for t in TENORS})


# --- orderings ------------------------------------------------------------------------------------


def test_credit_spreads_keep_their_rating_order_at_every_date(demo):
    oas = pd.DataFrame({r: demo.values(f"{r}_OAS") for r in ("AAA", "IG", "BBB", "BB", "B", "CCC", "HY", "EM")})
    assert len(oas) == len(DAYS) and not oas.isna().any().any()
    assert (oas["HY"] > oas["BBB"]).all() and (oas["BBB"] > oas["IG"]).all() and (oas["IG"] > oas["AAA"]).all()
    assert (oas["BB"] > oas["BBB"]).all() and (oas["B"] > oas["BB"]).all() and (oas["CCC"] > oas["B"]).all()
    assert (oas["HY"] > oas["BB"]).all() and (oas["CCC"] > oas["HY"]).all() and (oas["EM"] > oas["IG"]).all()
    # Where they stand today, and how far they strayed in five years (% points)
    today = oas.iloc[-1]
    assert 0.7 <= today["IG"] <= 1.0 and 0.9 <= today["BBB"] <= 1.2 and 2.7 <= today["HY"] <= 3.3
    assert oas["IG"].between(0.4, 2.0).all() and oas["BBB"].between(0.5, 2.5).all()
    assert oas["HY"].between(1.8, 8.0).all() and oas["CCC"].between(4, 25).all()


def test_the_treasury_curve_stays_a_curve(demo):
    yields = curve(demo)
    assert yields.notna().all().all() and ((yields > 0) & (yields < 8)).all().all()
    # The model's promise: a positive term premium beyond ten years, every day.
    assert (yields["20Y"] > yields["10Y"]).all() and (yields["30Y"] > yields["10Y"]).all()
    # Neighbouring tenors never far apart (no 24.7 % 2-year beside a 4.05 % 10-year).
    assert yields.diff(axis=1).abs().max().max() < 1.0
    # Today's curve is the late-2025 one: 3.5-4.7 %, a dip at two years, the long end higher.
    anchors = {**CURVE, **LONG_END}
    assert yields.iloc[-1].to_dict() == pytest.approx({t: anchors[m] for t, m in TENORS.items()}, abs=0.011)
    # The 10-year moves like one: a few basis points a day, within a realistic five-year range.
    ten = yields["10Y"]
    assert ten.diff().abs().median() < 0.08 and ten.min() > 2.5 and ten.max() < 6.0
    # The 2s10s can invert, as it did; the 3-month tracks the policy rate.
    assert (demo.values("3M", "treasury_yields") - demo.values("EFFR")).abs().max() < 1.0


def test_term_spreads_and_fred_copies_agree_with_the_curve_and_spreads(demo):
    yields = curve(demo)
    assert np.allclose(demo.values("T10Y2Y"), yields["10Y"] - yields["2Y"], atol=1e-9)
    assert np.allclose(demo.values("T10Y3M"), yields["10Y"] - yields["3M"], atol=1e-9)
    for fred, tenor in (("DGS2", "2Y"), ("DGS10", "10Y"), ("DGS3MO", "3M"), ("DGS30", "30Y")):
        assert demo.values(fred).equals(yields[tenor]), fred
    for fred, key in (("BAMLH0A0HYM2", "HY_OAS"), ("BAMLC0A4CBBB", "BBB_OAS"), ("BAMLC0A0CM", "IG_OAS")):
        assert demo.values(fred).equals(demo.values(key)), fred
    assert demo.values("SP500").equals(demo.values("SPX").round(2))
    assert np.allclose(demo.values("DEXJPUS"), demo.values("USDJPY"), atol=1e-3)
    assert demo.values("VIXCLS").equals(demo.values("VIX"))


def test_policy_rates_move_in_steps_and_keep_their_spreads(demo):
    effr, prime, iorb = demo.values("EFFR"), demo.values("DPRIME"), demo.values("IORB")
    upper = prime - 3
    assert np.allclose((upper * 4).round(), upper * 4)  # a 25 bp grid
    assert ((effr > upper - 0.25) & (effr < upper)).all() and np.allclose(iorb, upper - 0.1)
    moves = upper.diff().fillna(0) != 0
    assert 2 <= moves.sum() <= 40 and upper.diff().abs().max() <= 0.75 + 1e-9  # at meetings only
    assert effr.iloc[-1] == pytest.approx(3.88) and prime.iloc[-1] == pytest.approx(7.0)
    assert ((demo.values("SOFR") - effr).abs() <= 0.3).all()
    fed_funds = demo.values("FEDFUNDS")  # the monthly average of the daily rate
    october = effr[(effr.index >= "2026-10-01") & (effr.index < "2026-11-01")].mean()
    assert fed_funds.loc["2026-10-01"] == pytest.approx(october, abs=0.006)


def test_related_series_agree(demo):
    assert (demo.values("U6RATE") > demo.values("UNRATE")).all()
    assert (demo.values("MORTGAGE30US") > demo.values("MORTGAGE15US")).all()
    assert (demo.values("BAA") > demo.values("AAA")).all()
    assert np.allclose(demo.values("DFII10"), demo.values("DGS10") - demo.values("T10YIE"), atol=1e-9)
    assert np.allclose(demo.values("T5YIFR"), 2 * demo.values("T10YIE") - demo.values("T5YIE"), atol=1e-9)
    # FX crosses are ratios of one rate per currency
    cross = demo.raw("EURJPY") / (demo.raw("EURUSD") * demo.raw("USDJPY"))
    assert np.allclose(cross, 1.0)
    # ETFs track their index; real GDP grows at the published growth rates
    assert np.allclose(demo.values("SPY") / demo.values("SPX"), 0.1, rtol=0.01)
    assert np.allclose(demo.values("DIA") / demo.values("DJI"), 0.01, rtol=0.01)
    gdp = demo.raw("GDPC1")
    growth = ((gdp / gdp.shift(1)) ** 4 - 1) * 100
    assert np.allclose(growth.iloc[1:], demo.values("A191RL1Q225SBEA").iloc[1:], atol=1e-6)


# --- levels, units and frequencies ------------------------------------------------------------


def test_named_instruments_stay_in_their_real_range(demo):
    spx = demo.values("SPX")
    assert spx.between(3000, 8000).all()
    assert 3500 < spx.iloc[:60].median() < 5000  # five years ago, not near 10,000
    assert demo.values("BVSP").min() > 50_000 and demo.values("AEX").between(400, 1400).all()
    assert demo.values("DIA").between(250, 600).all() and demo.values("N225").min() > 20_000
    assert demo.values("DGS2").max() < 8 and demo.values("DGS10").max() < 8
    assert demo.values("PAYEMS").min() > 100_000  # thousands of persons, not "5.32"
    assert demo.values("RSAFS").min() > 500_000  # millions of dollars, not "13.88"
    assert demo.values("UNRATE").between(3, 7).all() and demo.values("CPIAUCSL").between(200, 400).all()
    assert demo.values("ICSA").between(100_000, 400_000).all()
    assert demo.values("EURUSD").between(0.9, 1.4).all() and demo.values("USDJPY").between(90, 180).all()
    assert demo.values("VIX").between(8, 90).all() and demo.values("GC").between(1200, 5000).all()
    btc = DemoSeries(CALENDAR_DAYS).values("BTCUSD")
    assert btc.between(5_000, 250_000).all() and btc.iloc[-1] == pytest.approx(87_000)


def test_series_come_at_their_real_frequency(demo):
    for key in ("UNRATE", "PAYEMS", "CPIAUCSL", "RSAFS", "FEDFUNDS", "CAUR", "TXNA"):
        dates = demo.values(key).index
        assert (dates.day == 1).all() and dates.is_unique, key
        months = dates.year * 12 + dates.month
        assert (np.diff(months) == 1).all() and 55 <= len(dates) <= 60, key  # one a month, none missing
        assert dates[-1] <= DAYS[-1] - pd.Timedelta(days=30), key  # last month published, not this one
    for key in ("GDP", "GDPC1", "A191RL1Q225SBEA", "CAOTOT"):
        dates = demo.values(key).index
        assert set(dates.month) <= {1, 4, 7, 10} and (dates.day == 1).all() and 18 <= len(dates) <= 20, key
    for key, weekday in (("ICSA", 5), ("CCSA", 5), ("WALCL", 2), ("MORTGAGE30US", 3), ("NFCI", 4)):
        dates = demo.values(key).index
        assert (dates.day_of_week == weekday).all() and (np.diff(dates.values).astype("timedelta64[D]") == 7).all()
    for key in ("WB_GDP_GROWTH_USA", "IMF_INFLATION_CHN", "CAPOP", "MEHOINUSTXA672N"):
        dates = demo.values(key).index
        assert ((dates.month == 1) & (dates.day == 1)).all() and 3 <= len(dates) <= 5, key
    for key in ("DGS10", "SP500", "DEXUSEU", "BAMLH0A0HYM2", "T10Y2Y", "SOFR"):
        assert demo.values(key).index.equals(DAYS), key


def test_every_catalogued_instrument_has_an_anchor_and_ends_at_it(catalog):
    windows = {"B": DemoSeries(DAYS), "C": DemoSeries(CALENDAR_DAYS)}
    strays = []
    for dataset in catalog.datasets():
        if dataset in ROW_DATASETS:  # generators of their own (tests of their own)
            continue
        demo = windows["C" if dataset == "crypto_prices" else "B"]
        for inst in catalog.for_dataset(dataset):
            assert is_known(inst.key, dataset), f"{dataset}/{inst.key} has no demo anchor"
            values = demo.values(inst.key, dataset)
            assert len(values) >= 3 and values.notna().all(), inst.key
            spec = spec_for(inst.key)
            if spec is None:
                continue  # derived from other series (tested above)
            last = values.iloc[-1]
            if abs(last - spec.level) > max(0.15 * abs(spec.level), 0.05):
                strays.append((inst.key, spec.level, last))
            if spec.log:
                # Five years of a trend and a bounded swing: within a factor of the anchor that
                # its drift and band allow, never a runaway walk.
                assert (values > 0).all(), inst.key
                reach = np.exp(YEARS * abs(spec.drift) + 5 * swing_sd(inst.key))
                assert values.max() < spec.level * reach and values.min() > spec.level / reach, inst.key
    assert not strays, strays


def swing_sd(key: str) -> float:
    """The standard deviation of a series' swing around its trend, its factors' included."""
    spec = spec_for(key)
    return float(np.sqrt(spec.band**2 + sum((beta * swing_sd(f)) ** 2 for f, beta in spec.factors)))


def test_demo_frames_carry_units_countries_and_valid_bars():
    payrolls = demo_frame("fred_series", Instrument("fred_series", "PAYEMS", "PAYEMS", ()), DAYS, NOW)
    assert len(payrolls) == payrolls["date"].nunique() <= 60 and (payrolls["value"] % 1 == 0).all()
    world = demo_frame(
        "economic_indicators",
        Instrument("economic_indicators", "WB_GDP_GROWTH_CHN", "China", ()),
        DAYS,
        NOW,
    )
    assert set(world["country"]) == {"USA"}  # no provider symbol to read the country from
    chn = Instrument("economic_indicators", "WB_GDP_GROWTH_CHN", "China", (Provider("world_bank", "CHN:NY.GDP"),))
    assert set(demo_frame("economic_indicators", chn, DAYS, NOW)["country"]) == {"CHN"}
    bars = demo_frame("market_indices", Instrument("market_indices", "DIA", "DIA", ()), DAYS, NOW)
    assert (bars["high"] >= bars[["open", "close"]].max(axis=1)).all()
    assert (bars["low"] <= bars[["open", "close"]].min(axis=1)).all() and (bars["low"] > 0).all()
    assert bars["close"].iloc[-1] == pytest.approx(470) and (bars["close"] == bars["close"].round(2)).all()
    moves = np.log(bars["close"]).diff().abs()
    assert moves.median() < 0.02 and moves.max() < 0.15  # an index ETF's daily moves


def test_paths_are_deterministic_per_key_and_recent_days_do_not_depend_on_the_window():
    again = DemoSeries(DAYS)
    assert again.values("SPX").equals(DemoSeries(DAYS).values("SPX"))
    assert not np.array_equal(again.values("XLK"), again.values("XLF"))
    short = DemoSeries(DAYS[-260:])  # one year, as tests that seed less use
    assert np.allclose(short.values("RUT"), again.values("RUT").iloc[-260:])


def test_demo_crypto_derivatives_are_plausible(catalog):
    for inst in catalog.for_dataset("crypto_derivatives"):
        frame = demo_frame("crypto_derivatives", inst, CALENDAR_DAYS, NOW)
        assert validate_rows("crypto_derivatives", frame.drop(columns=["source", "fetched_at"]), inst.key) is not None
        assert len(frame) == len(CALENDAR_DAYS) and (frame["funding_periods"] == 3).all()
        # About 0.01 % a settlement: a day's sum near 0.03 %, mostly positive, annualised near 11 %.
        assert 0.01 < frame["funding_rate"].median() < 0.06 and (frame["funding_rate"] > 0).mean() > 0.7
        assert frame["funding_annualized"].iloc[-1] == pytest.approx(frame["funding_rate"].iloc[-1] * 365, rel=1e-3)
        assert (frame["open_interest"] > 0).all() and (frame["open_interest_usd"] > 0).all()
    btc = demo_frame("crypto_derivatives", Instrument("crypto_derivatives", "BTC", "BTC", ()), CALENDAR_DAYS, NOW)
    assert 2e9 < btc["open_interest_usd"].iloc[-1] < 3e10  # billions of dollars


def test_demo_cot_reports_add_up_and_end_at_their_anchors(catalog):
    for inst in catalog.for_dataset("cot_positions"):
        frame = demo_cot_positions(inst.key, DAYS)
        assert (frame["date"].map(lambda d: d.weekday()) == 1).all()  # Tuesdays
        assert validate_cot_positions(frame, inst.key) is frame
        for side in ("long", "short"):  # every class's side plus spreading is the open interest
            total = (
                frame[f"noncomm_{side}"] + frame["noncomm_spreading"] + frame[f"comm_{side}"] + frame[f"nonrept_{side}"]
            )
            assert np.allclose(total, frame["open_interest"]), inst.key
        assert frame["open_interest"].iloc[-1] == ANCHORS[inst.key][0]


def test_weekly_and_monthly_bars_come_one_a_period(catalog):
    """A monthly price (World Bank) or weekly stock (EIA) is a bar a period, as its source
    publishes it, not a daily bar repeating the month's close (flagged stale by the thousand)."""
    for key, most_days in (("WB_COPPER", 31), ("US_CRUDE_STOCKS", 7)):
        inst = next(i for i in catalog.for_dataset("commodities") if i.key == key)
        frame = demo_frame("commodities", inst, DAYS, NOW)
        gaps = pd.Series(frame["ts"]).diff().dropna().dt.days
        assert gaps.min() >= most_days - 3 and gaps.max() <= most_days, key
        assert len(frame) < len(DAYS) / 4
