"""The computations behind the rates & macro dashboards: shaded periods (an inverted curve, a
recession), the countries-compared table and the demo's stepped policy rates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jobs.demo.generator import policy_steps
from pages.panels.shading import Shade, flags_as_of, shaded_periods, shades
from pages.panels.world import country_keys, country_matrix
from sql.transforms import combined_series, flagged_periods, latest_with_change


def test_a_run_of_flags_lasts_until_the_next_observation_and_an_open_run_until_its_last():
    dates = pd.to_datetime(["2020-01-01", "2020-02-01", "2020-03-01", "2020-04-01", "2020-05-01", "2020-06-01"])
    assert flagged_periods(dates, [False, False, True, True, False, False]) == [
        (pd.Timestamp("2020-03-01"), pd.Timestamp("2020-05-01"))
    ]
    assert flagged_periods(dates, [True, False, True, False, False, True]) == [
        (pd.Timestamp("2020-01-01"), pd.Timestamp("2020-02-01")),
        (pd.Timestamp("2020-03-01"), pd.Timestamp("2020-04-01")),
        (pd.Timestamp("2020-06-01"), pd.Timestamp("2020-06-01")),
    ]
    assert flagged_periods(dates, [None, True, None, False, False, False]) == [
        (pd.Timestamp("2020-02-01"), pd.Timestamp("2020-03-01"))
    ]
    assert flagged_periods(dates[:0], []) == []
    with pytest.raises(ValueError):
        flagged_periods(dates, [True])


def test_shadings_are_read_from_the_panel_option_and_refuse_what_they_cannot_draw():
    found = shades([{"key": "T10Y3M", "below": 0, "label": "inverted"}, {"key": "USREC", "above": 0.5}])
    assert found == [Shade("T10Y3M", "inverted", below=0.0), Shade("USREC", "USREC above 0.5", above=0.5)]
    assert shades(None) == []
    for bad in ({"below": 0}, {"key": "X"}, {"key": "X", "below": 0, "above": 1}, {"key": "X", "below": "0"}, "X"):
        with pytest.raises(ValueError):
            shades([bad])


def spread_rows() -> pd.DataFrame:
    dates = pd.bdate_range("2024-01-01", periods=8)
    spread = [0.3, -0.1, -0.2, 0.1, -0.05, 0.2, 0.3, -0.4]
    rec = pd.DataFrame({"key": "USREC", "date": pd.to_datetime(["2023-12-01", "2024-01-01"]), "value": [1.0, 0.0]})
    return pd.concat([pd.DataFrame({"key": "T10Y2Y", "date": dates, "value": spread}), rec], ignore_index=True)


def test_inverted_periods_of_a_spread_and_the_dates_inside_them():
    rows = spread_rows()
    inverted = Shade("T10Y2Y", "inverted", below=0.0)
    days = pd.bdate_range("2024-01-01", periods=8)
    assert shaded_periods(rows, inverted) == [(days[1], days[3]), (days[4], days[5]), (days[7], days[7])]
    # Clipped to the chart's first date; a period over before it is dropped.
    assert shaded_periods(rows, inverted, start=days[2]) == [(days[2], days[3]), (days[4], days[5]), (days[7], days[7])]
    assert shaded_periods(rows, inverted, start=days[4])[0] == (days[4], days[5])
    assert flags_as_of(rows, inverted, days) == [False, True, True, False, True, False, False, True]
    # A monthly indicator holds between its readings; nothing before its first one.
    recession = Shade("USREC", "recession", above=0.5)
    asked = pd.to_datetime(["2023-11-15", "2023-12-20", "2024-01-03"])
    assert flags_as_of(rows, recession, asked) == [False, True, False]
    assert shaded_periods(rows, recession) == [(pd.Timestamp("2023-12-01"), pd.Timestamp("2024-01-01"))]
    assert shaded_periods(rows, Shade("NOPE", "x", below=0.0)) == []


def test_the_country_table_has_a_row_a_country_and_each_measures_newest_year():
    measures = {"WB_GDP_GROWTH": "Growth", "IMF_GOV_DEBT": "Debt"}
    countries = {"USA": "United States", "JPN": "Japan", "FRA": "France"}
    assert country_keys(measures, countries)[:3] == ["WB_GDP_GROWTH_USA", "WB_GDP_GROWTH_JPN", "WB_GDP_GROWTH_FRA"]
    stored = pd.DataFrame(
        {
            "key": ["WB_GDP_GROWTH_USA", "WB_GDP_GROWTH_USA", "IMF_GOV_DEBT_USA", "IMF_GOV_DEBT_JPN"],
            "date": pd.to_datetime(["2023-01-01", "2024-01-01", "2026-01-01", "2026-01-01"]),
            "value": [2.9, 2.8, 125.0, 230.0],
            "source": "test",
        }
    )
    table = country_matrix(latest_with_change(stored), measures, countries)
    assert list(table.columns) == ["Country", "Code", "Growth", "Growth (year)", "Debt", "Debt (year)"]
    assert table["Country"].tolist() == ["United States", "Japan"]  # France: nothing stored
    usa, jpn = table.to_dict("records")
    assert (usa["Growth"], usa["Growth (year)"], usa["Debt"], usa["Debt (year)"]) == (2.8, 2024, 125.0, 2026)
    assert pd.isna(jpn["Growth"]) and pd.isna(jpn["Growth (year)"]) and jpn["Debt"] == 230.0
    assert str(table["Growth (year)"].dtype) == "Int64"
    assert country_matrix(latest_with_change(stored.iloc[:0]), measures, countries).empty


def test_a_demo_policy_rate_ends_at_its_level_moves_in_quarter_points_and_holds_between_meetings():
    path = np.concatenate([np.full(200, -0.8), np.linspace(-0.8, 4.2, 300), np.linspace(4.2, 2.0, 300)])
    rate = policy_steps(path, 2.0, -0.5)
    assert rate[-1] == 2.0 and rate.min() >= -0.5 and rate.max() <= 4.5
    moves = np.diff(rate)[np.diff(rate) != 0]
    assert len(moves) >= 8 and np.allclose(np.round(moves * 4), moves * 4) and (np.abs(moves) <= 0.75).all()
    assert rate[0] == pytest.approx(-0.5)  # at its floor while the path is below it
    change_days = np.flatnonzero(np.diff(rate) != 0)
    assert (np.diff(change_days) % 30 == 0).all()  # decisions only at meetings


def test_a_combined_series_sums_its_terms_as_of_the_first_ones_dates():
    weekly = pd.to_datetime(["2025-01-01", "2025-01-08", "2025-01-15"])
    daily = pd.bdate_range("2025-01-02", "2025-01-15")
    rows = pd.concat(
        [
            pd.DataFrame({"key": "WALCL", "date": weekly, "value": [7_000_000.0, 6_990_000.0, 6_980_000.0]}),
            pd.DataFrame({"key": "WTREGEN", "date": weekly, "value": [800_000.0, 750_000.0, 700_000.0]}),
            pd.DataFrame({"key": "RRPONTSYD", "date": daily, "value": np.arange(len(daily), dtype=float) + 100}),
        ]
    )
    net = combined_series(rows, {"WALCL": 0.001, "WTREGEN": -0.001, "RRPONTSYD": -1.0})
    # 1 January: no reverse-repo reading yet, left out; then the repo's reading of that day.
    assert net["date"].tolist() == list(weekly[1:])
    assert net["value"].tolist() == pytest.approx([6990 - 750 - 104, 6980 - 700 - 109])
    assert combined_series(rows.iloc[:0], {"WALCL": 1.0}).empty


def test_combined_terms_are_converted_from_their_catalog_units(monkeypatch):
    from types import MappingProxyType

    from config.dashboard_specs import PanelSpec
    from pages.panels import combine

    monkeypatch.setattr(combine, "units", lambda settings, dataset: {"WALCL": "millions $", "RRPONTSYD": "billions $"})

    def ctx(option):
        spec = PanelSpec("p", "history", "P", "fred_series", ("WALCL", "RRPONTSYD"), options=MappingProxyType(option))
        return type("Ctx", (), {"spec": spec, "settings": None})()

    terms = {"WALCL": 1, "RRPONTSYD": -1}
    assert combine.weights(ctx({"combine": {"unit": "billions $", "terms": terms}})) == {
        "WALCL": 0.001,
        "RRPONTSYD": -1.0,
    }
    assert combine.weights(ctx({"combine": {"unit": "trillions $", "terms": terms}})) == pytest.approx(
        {"WALCL": 1e-6, "RRPONTSYD": -1e-3}
    )
    for bad in ({"unit": "%", "terms": terms}, {"unit": "billions $"}, {"unit": "billions $", "terms": {"NOUNIT": 1}}):
        with pytest.raises(ValueError):
            combine.weights(ctx({"combine": bad}))
