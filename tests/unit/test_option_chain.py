"""The option-chain summary of CBOE's delayed quotes (datasources/providers/cboe/option_chain.py): per expiry
volume and open interest, put/call ratios, ATM IV, 25-delta skew and max pain, worked by hand on
small chains; malformed bodies; the validation of its rows; the demo/fixture chain generator."""

from __future__ import annotations

import json
import random
from datetime import date

import numpy as np
import pandas as pd
import pytest

from datasources.base import ParseError
from datasources.chains import CHAIN_COLUMNS, Contracts, atm_iv, iv_at_delta, max_pain
from datasources.providers.cboe.option_chain import CboeOptionChainConnector, contracts_frame, snapshot_date
from datasources.providers.cboe.options import CboeOptionsPutCallConnector
from datasources.validate import ValidationError, validate_option_chain, validate_rows
from jobs.demo_options import demo_chain, demo_expiries, term_iv, third_friday

CHAIN = CboeOptionChainConnector()


def body(options, current_price=102.0, timestamp="2026-11-20 16:15:00") -> bytes:
    return json.dumps({"timestamp": timestamp, "data": {"current_price": current_price, "options": options}}).encode()


def option(symbol: str, volume=None, oi=None, iv=None, delta=None, **extra) -> dict:
    fields = {"volume": volume, "open_interest": oi, "iv": iv, "delta": delta, **extra}
    return {"option": symbol, **{k: v for k, v in fields.items() if v is not None}}


# Expiry 2026-12-18 (28 days after the snapshot), the underlying at 102:
#   calls  100: vol 10, OI 100, IV .20, Δ .60   105: vol 20, OI 300, IV .18, Δ .30   110: vol 5, OI 200, IV .17, Δ .20
#   puts    95: vol 30, OI 400, IV .26, Δ -.20  100: vol 15, OI 200, IV .22, Δ -.40  105: vol 5, OI 150, IV .20, Δ -.70
DECEMBER = [
    option("SPX261218C00100000", 10, 100, 0.20, 0.60),
    option("SPXW261218C00105000", 20, 300, 0.18, 0.30),
    option("SPXW261218C00110000", 5, 200, 0.17, 0.20),
    option("SPXW261218P00095000", 30, 400, 0.26, -0.20),
    option("SPX261218P00100000", 15, 200, 0.22, -0.40),
    option("SPXW261218P00105000", 5, 150, 0.20, -0.70),
    # Listed, but every figure unusable: counted as a contract, adds nothing.
    option("SPXW261218C00120000", "n/a", -5, "abc", 2),
]
# Expiring on the snapshot day: no IV anywhere usable (missing, CBOE's 0), no deltas.
TODAY = [option("SPXW261120C00100000", 7, 50), option("SPXW261120P00100000", 3, 0, 0.0)]
JUNK = [
    option("SPXW261113C00100000", 999, 999, 0.5, 0.5),  # expired a week before the snapshot
    option("NOT-AN-OPTION", 999, 999),
    option("SPY261218C00100000", 999, 999, 0.5, 0.5),  # another underlying's file
    "not an object",
    {"volume": 5},
]


def test_a_hand_worked_chain_is_summarised_per_expiry():
    frame = CHAIN.parse(body(DECEMBER + TODAY + JUNK), "_SPX")
    assert list(frame.columns) == CHAIN_COLUMNS
    assert list(frame["expiry"]) == [date(2026, 11, 20), date(2026, 12, 18)]
    assert set(frame["date"]) == {date(2026, 11, 20)} and set(frame["underlying"]) == {"SPX"}
    today, december = frame.iloc[0], frame.iloc[1]

    assert december["days_to_expiry"] == 28 and december["contracts"] == 7
    assert (december["call_volume"], december["put_volume"]) == (35, 50)
    assert (december["call_open_interest"], december["put_open_interest"]) == (600, 750)
    assert december["put_call_volume"] == pytest.approx(1.4286)  # 50 / 35
    assert december["put_call_oi"] == pytest.approx(1.25)  # 750 / 600
    # Strike 100: (.20 + .22) / 2 = .21; 105: (.18 + .20) / 2 = .19; 102 is 2/5 of the way: .202
    assert december["atm_iv"] == pytest.approx(20.2)
    # Puts: Δ .20 → .26, Δ .40 → .22, so Δ .25 → .25; calls: Δ .20 → .17, Δ .30 → .18, so .175
    assert december["skew_25d"] == pytest.approx(7.5)
    # Paid out if it settled at 95: 200·5 + 150·10 = 2500; 100: 150·5 = 750; 105: 100·5 = 500;
    # 110: 100·10 + 300·5 = 2500; 120: 100·20 + 300·15 + 200·10 = 8500 → 105
    assert december["max_pain"] == 105
    assert december["underlying_price"] == 102

    assert today["days_to_expiry"] == 0 and today["contracts"] == 2
    assert today["put_call_volume"] == pytest.approx(0.4286) and today["put_call_oi"] == 0
    assert np.isnan(today["atm_iv"])  # no usable IV (and 102 is above its only strike)
    assert np.isnan(today["skew_25d"])
    assert today["max_pain"] == 100


def test_the_chain_and_the_put_call_ratio_agree_on_one_body():
    whole = body(DECEMBER + TODAY)
    frame = CHAIN.parse(whole, "_SPX")
    ratio = CboeOptionsPutCallConnector().parse(whole, "_SPX:volume")["value"].iloc[0]
    assert frame["put_volume"].sum() / frame["call_volume"].sum() == pytest.approx(ratio, abs=1e-4)
    assert CHAIN.build_requests("https://cdn.cboe.com", "_SPX", None) == CboeOptionsPutCallConnector().build_requests(
        "https://cdn.cboe.com", "_SPX:volume", None
    )  # the same file: fetched once per run for both


def test_missing_figures_are_nulls_not_errors():
    bare = [{"option": "SPY261218C00100000"}, {"option": "SPY261218P00100000", "volume": 4}]
    frame = CHAIN.parse(body(bare, current_price=None), "SPY")
    (row,) = frame.to_dict("records")
    assert row["contracts"] == 2 and row["put_volume"] == 4
    for field in ("call_volume", "call_open_interest", "put_open_interest", "put_call_volume", "put_call_oi"):
        assert np.isnan(row[field]), field
    for field in ("atm_iv", "skew_25d", "underlying_price"):
        assert np.isnan(row[field]), field
    assert row["max_pain"] is None or np.isnan(row["max_pain"])  # no open interest at all


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "empty"),
        (b"<html>Access denied</html>", ""),
        (json.dumps({"data": {}}).encode(), "no data.options"),
        (json.dumps({"data": {"options": []}}).encode(), "no data.options"),
        (json.dumps({"data": {"options": "nope"}}).encode(), "no data.options"),
        (json.dumps({"data": None}).encode(), "no data.options"),
        (json.dumps([1, 2]).encode(), "no data.options"),
        (body([{"volume": 1}]), "no option symbols"),
        (body([option("QQQ261218C00100000", 1, 1)]), "no SPX option symbols"),
        (body([option("SPX241218C00100000", 1, 1)]), "no contracts expiring on or after 2026-11-20"),
        (body(DECEMBER, timestamp="yesterday-ish"), "unreadable timestamp"),
    ],
)
def test_malformed_bodies_are_parse_errors(raw, message):
    with pytest.raises(ParseError, match=message or None):
        CHAIN.parse(raw, "_SPX")


GARBAGE = [None, "", "n/a", -1, 0, 1e300, "inf", [1], {"a": 1}, True, "SPXW261218C05000000", 3.5, 10**30]


def test_garbage_in_any_field_is_a_parse_error_or_nulls_never_a_crash():
    rng = random.Random(7)
    good = [option(f"SPXW2612{d}{k}0{s}000", 5, 7, 0.2, 0.5 if k == "C" else -0.5) for d in (18, 19) for k in "CP"
            for s in range(5000, 5100, 10)]  # fmt: skip
    outcomes = set()
    for _ in range(300):
        options = [dict(o) for o in good]
        for _ in range(rng.randint(1, 25)):
            rng.choice(options)[rng.choice(["option", "volume", "open_interest", "iv", "delta"])] = rng.choice(GARBAGE)
        timestamp = rng.choice(["2026-11-20 16:15:00", None, "not a time", 5])
        price = rng.choice([5050.0, None, "x", [1], -3.0])
        try:
            frame = CHAIN.parse(body(options, price, timestamp), "_SPX")
        except ParseError:
            outcomes.add("ParseError")
            continue
        outcomes.add("rows")
        assert list(frame.columns) == CHAIN_COLUMNS and set(frame["expiry"]) <= {date(2026, 12, 18), date(2026, 12, 19)}
    assert outcomes == {"ParseError", "rows"}


def test_snapshot_dates_are_us_eastern():
    assert snapshot_date("2026-11-20 16:15:00") == date(2026, 11, 20)
    assert snapshot_date("2026-11-21T02:00:00Z") == date(2026, 11, 20)  # 21:00 the evening before in New York
    assert isinstance(snapshot_date(None), date)


def contracts(rows: list[tuple]) -> Contracts:
    frame = pd.DataFrame(rows, columns=["kind", "strike", "open_interest", "iv", "delta"])
    return Contracts.of(frame.assign(volume=np.nan))


def test_max_pain_takes_the_lowest_strike_of_a_tie_and_needs_open_interest():
    tie = contracts([("C", 100, 100, np.nan, np.nan), ("P", 105, 100, np.nan, np.nan)])
    assert max_pain(tie) == 100  # 100 and 105 both pay 500
    assert max_pain(contracts([("C", 100, 0, np.nan, np.nan), ("P", 105, np.nan, np.nan, np.nan)])) is None


def test_atm_iv_is_not_extrapolated_and_uses_a_strike_at_the_money():
    chain = contracts([("C", 100, 1, 0.2, np.nan), ("P", 100, 1, 0.3, np.nan), ("C", 110, 1, 0.1, np.nan)])
    assert atm_iv(chain, 100.0) == pytest.approx(25.0)
    assert atm_iv(chain, 105.0) == pytest.approx(17.5)  # (.25 + .10) / 2
    assert atm_iv(chain, 99.0) is None and atm_iv(chain, 111.0) is None
    assert atm_iv(chain, float("nan")) is None


def test_iv_at_delta_needs_a_delta_either_side():
    puts = contracts([("P", 90, 1, 0.3, -0.1), ("P", 95, 1, 0.25, -0.2)])
    assert iv_at_delta(puts, 0.25) is None  # nothing at or above .25
    assert iv_at_delta(puts, 0.2) == pytest.approx(25.0)


def test_contracts_keep_only_the_underlyings_roots():
    frame = contracts_frame([option("SPXW261218C00100000"), option("SPX261218P00105500"), option("XSP261218C1")], "SPX")
    assert list(frame["kind"]) == ["C", "P"] and list(frame["strike"]) == [100.0, 105.5]


# --- validation of the parsed rows ------------------------------------------------------------


def test_parsed_rows_pass_validation_and_bad_rows_do_not():
    frame = CHAIN.parse(body(DECEMBER + TODAY), "_SPX")
    assert validate_rows("options_chain", frame, "_SPX") is frame
    with pytest.raises(ValidationError, match="twice"):
        validate_option_chain(pd.concat([frame, frame.tail(1)]), "_SPX")
    with pytest.raises(ValidationError, match="before their snapshot"):
        validate_option_chain(frame.assign(days_to_expiry=-1), "_SPX")
    with pytest.raises(ValidationError, match="negative or non-finite"):
        validate_option_chain(frame.assign(atm_iv=np.inf), "_SPX")
    with pytest.raises(ValidationError, match="negative or non-finite"):
        validate_option_chain(frame.assign(call_volume=-1.0), "_SPX")
    with pytest.raises(ValidationError, match="in the future"):
        validate_option_chain(frame.assign(date=date(2999, 1, 1)), "_SPX")
    with pytest.raises(ValidationError, match="missing columns"):
        validate_option_chain(frame.drop(columns="expiry"), "_SPX")
    with pytest.raises(ValidationError, match="no validator"):
        validate_rows("market_breadth", frame, "_SPX")


# --- the synthetic chains of the demo and the fixture server ---------------------------------


def test_demo_expiries_run_from_tomorrow_to_two_years_out():
    day = date(2026, 11, 24)  # a Tuesday
    expiries = demo_expiries(day)
    assert expiries == sorted(set(expiries)) and expiries[0] == date(2026, 11, 25)
    assert third_friday(2026, 12) == date(2026, 12, 18) in expiries
    assert third_friday(2028, 12) == expiries[-1]


def test_a_demo_chain_summarises_like_a_market():
    day, spot, vix = date(2026, 11, 24), 6700.0, 19.0
    chain = demo_chain("SPX", day, spot, vix)
    assert set(chain["root"]) == {"SPX", "SPXW"}
    summary = CHAIN.parse(
        body(
            [
                {
                    "option": f"{c.root}{c.expiry:%y%m%d}{c.kind}{round(c.strike * 1000):08d}",
                    "volume": c.volume,
                    "open_interest": c.open_interest,
                    "iv": c.iv,
                    "delta": c.delta,
                }
                for c in chain.itertuples()
            ],
            current_price=spot,
            timestamp=f"{day} 16:15:00",
        ),
        "_SPX",
    )
    assert len(summary) == len(demo_expiries(day))
    month = summary[summary["days_to_expiry"].between(20, 40)]
    assert (month["atm_iv"] - 100 * term_iv(vix, 30)).abs().max() < 1.0  # near the VIX at a month
    assert summary["atm_iv"].is_monotonic_increasing  # contango with the VIX below 22
    assert (summary["skew_25d"] > 0).all()  # puts dearer than calls
    front = summary[summary["days_to_expiry"] <= 40]
    assert ((front["max_pain"] / spot - 1).abs() < 0.05).all()
    total = summary[["put_volume", "call_volume"]].sum()
    assert 1.0 < total["put_volume"] / total["call_volume"] < 2.0
    # Open interest gathers at round strikes: a 100-point strike holds more than its neighbours.
    december = chain[(chain["expiry"] == date(2026, 12, 18)) & (chain["kind"] == "P")].set_index("strike")
    near = december.loc[6500:6800, "open_interest"]
    assert near[near.index % 100 == 0].mean() > 2 * near[near.index % 50 != 0].mean()
