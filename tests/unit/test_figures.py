"""Chart rules of components/figures.py and components/axes.py: points a trace sends, drawing by frequency, log ticks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from components.axes import fit_margins, log_axis, tick_labels
from components.chart_template import SPARTAN_TEMPLATE
from components.figures import (
    bars,
    epoch_ms,
    frequency_days,
    history_figure,
    plot_points,
    shape_for,
    signed_bars,
    thin,
    too_dense_for_bars,
)


def daily(n: int, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "key": "X",
            "date": pd.bdate_range(end="2025-12-01", periods=n),
            "value": 100 * np.exp(np.cumsum(rng.normal(0, 0.01, n))),
        }
    )


def test_a_long_series_sends_about_two_points_a_pixel_and_keeps_its_extremes():
    frame = daily(16_000)  # sixty years of business days
    budget = plot_points(6)  # a half-width panel
    assert 1_000 <= budget <= 1_400
    x, y = thin(frame["date"], frame["value"], budget)
    assert len(x) == budget
    assert x.is_monotonic_increasing
    # The peak and the trough survive; the first and last points too.
    assert y.max() == frame["value"].max() and y.min() == frame["value"].min()
    assert x.iloc[0] == frame["date"].iloc[0] and x.iloc[-1] == frame["date"].iloc[-1]
    fig = history_figure(frame, {}, "", max_points=budget)
    assert len(fig.data[0].x) == budget


def test_a_series_that_fits_is_sent_whole():
    frame = daily(1_260)  # five years: fits a full-width chart
    x, y = thin(frame["date"], frame["value"], plot_points(12))
    assert len(x) == 1_260 and y.equals(frame["value"])
    gappy = frame.assign(value=frame["value"].where(frame.index % 3 != 0))
    x, y = thin(gappy["date"], gappy["value"], 500)
    assert len(x) == 500 and y.notna().all()


def test_timezone_aware_stamps_are_thinned_and_sent_as_epoch_ms():
    # PostgreSQL hands timestamptz columns back tz-aware: to_numpy() of those is an object
    # array, which the downsampler refused (a long crypto history broke its page on PostgreSQL).
    frame = daily(16_000)
    aware = frame.assign(date=frame["date"].dt.tz_localize("UTC"))
    x, y = thin(aware["date"], aware["value"], 1_000)
    expected_x, expected_y = thin(frame["date"], frame["value"], 1_000)
    assert len(x) == 1_000 and y.equals(expected_y)
    assert epoch_ms(x).tolist() == epoch_ms(expected_x).tolist()
    assert epoch_ms(pd.Series(pd.to_datetime(["1970-01-02 01:00+01:00"]))).tolist() == [86_400_000]
    fig = history_figure(aware, {}, "", max_points=1_000)
    assert len(fig.data[0].x) == 1_000 and isinstance(fig.data[0].x[0], (int, np.integer))


def test_monthly_and_quarterly_series_are_drawn_at_their_frequency():
    monthly = pd.Series(pd.date_range("2020-01-01", periods=60, freq="MS"))
    quarterly = pd.Series(pd.date_range("2020-01-01", periods=20, freq="QS"))
    assert 28 <= frequency_days(monthly) <= 31 and 89 <= frequency_days(quarterly) <= 92
    assert shape_for(monthly) == {"mode": "lines", "line": {"shape": "hv"}}
    assert shape_for(quarterly)["mode"] == "lines+markers"
    assert shape_for(daily(300)["date"]) == {"mode": "lines"}
    fig = history_figure(pd.DataFrame({"key": "M", "date": monthly, "value": range(60)}), {}, "%", decimals=1)
    assert fig.data[0].line.shape == "hv"
    assert fig.data[0].hovertemplate == "%{y:,.1f}%"


def test_log_axis_ticks_are_written_in_full():
    fig = log_axis(go.Figure(), [3_100, 6_900])
    assert fig.layout.yaxis.type == "log"
    assert list(fig.layout.yaxis.ticktext) == ["3,000", "4,000", "5,000", "6,000", "7,000"]
    wide = log_axis(go.Figure(), [0.05, 90_000])
    assert list(wide.layout.yaxis.ticktext) == ["0.1", "1", "10", "100", "1,000", "10,000", "100,000"]
    narrow = log_axis(go.Figure(), [101, 104])
    assert len(narrow.layout.yaxis.tickvals) >= 3
    assert all(101 / 1.2 <= t <= 104 * 1.2 for t in narrow.layout.yaxis.tickvals)
    assert log_axis(go.Figure(), [-1, 0]).layout.yaxis.type is None  # nothing positive: left alone


def test_rotation_labels_of_close_points_do_not_overlap():
    from pages.panels.analytics.rotation import label_positions

    # XLB and XLP end a hair apart: their labels must take different places.
    spots = label_positions({"XLB": (101.0, 100.5), "XLP": (101.05, 100.45), "XLK": (96, 97)}, (95, 105), (95, 105))
    assert spots["XLB"] != spots["XLP"]
    assert spots["XLK"] == "top center"  # alone: the usual place


def test_charts_send_what_their_tooltip_shows():
    from components.figures import drawn_values

    y = pd.Series([100.84771234567891, 6712.345678, None])
    assert drawn_values(y, 2)[:2].tolist() == [100.85, 6712.35]
    assert np.isnan(drawn_values(y, 2)[2])
    assert drawn_values(pd.Series([87012.3456789])).tolist() == [87012.35]  # seven significant digits
    assert epoch_ms(pd.Series(pd.to_datetime(["1970-01-02"]))).tolist() == [86_400_000]
    frame = daily(10)
    fig = history_figure(frame, {}, "", decimals=2)
    assert fig.layout.xaxis.type == "date" and fig.data[0].x[0] == frame["date"].iloc[0].value // 10**6
    assert all(round(v, 2) == v for v in fig.data[0].y)


def test_tick_labels_are_written_as_plotly_writes_them():
    assert tick_labels(95, 130, 250) == ["95", "100", "105", "110", "115", "120", "125", "130"]
    assert tick_labels(38_000, 51_000, 250) == ["38k", "40k", "42k", "44k", "46k", "48k", "50k"]
    assert tick_labels(-0.8, 0, 250) == ["−0.8", "−0.6", "−0.4", "−0.2", "0.0"]  # no "−0.0"
    assert tick_labels(100_000, 160_000, 250, ",.0f")[0] == "100,000"


def _margin(fig):
    return fit_margins(fig).layout.margin


def test_margins_hold_the_widest_tick_label_and_the_axis_title():
    days = pd.bdate_range("2024-01-01", periods=300)
    narrow = go.Figure(go.Scatter(x=days, y=np.linspace(1, 9, 300)), layout={"template": "spartan", "height": 320})
    wide = go.Figure(go.Scatter(x=days, y=np.linspace(100_000, 160_000, 300)), layout={"template": "spartan"})
    wide.update_yaxes(tickformat=",.0f", title_text="thousands")
    assert _margin(narrow).l == SPARTAN_TEMPLATE.layout.margin.l  # "9" fits the default margin
    # "160,000" (7 characters of 13 px Inter) and a title line beside it: ~100 px
    assert 90 <= _margin(wide).l <= 120


def test_margins_are_made_on_the_side_of_each_axis():
    days = pd.bdate_range("2024-01-01", periods=50)
    fig = go.Figure(layout={"template": "spartan", "height": 320})
    fig.add_trace(go.Scatter(x=days, y=np.linspace(1, 2, 50)))
    fig.add_trace(go.Scatter(x=days, y=np.linspace(10_000_000, 90_000_000, 50), yaxis="y2"))
    fig.update_layout(yaxis2={"overlaying": "y", "side": "right", "ticksuffix": " USD"})
    margin = _margin(fig)
    assert margin.r > 60 > margin.l  # "90M USD" on the right, "2.0" on the left


def test_long_category_labels_widen_the_margin_and_rotated_ones_the_bottom():
    names = ["US High Yield OAS (ICE BofA)", "Gold", "S&P 500"]
    bars = go.Figure(go.Bar(x=[1, 2, 3], y=names, orientation="h"), layout={"template": "spartan"})
    assert _margin(bars).l > 150  # the longest name, not a number

    def heat(angle):
        fig = go.Figure(go.Heatmap(z=np.eye(3), x=names, y=names), layout={"template": "spartan"})
        return fig.update_xaxes(tickangle=angle)

    margin = _margin(heat(-40))
    assert margin.l > 150 and margin.b > 100
    assert _margin(heat(0)).b < 100


def test_bars_too_narrow_to_see_are_drawn_as_one_filled_step_area():
    days = pd.bdate_range("2021-01-01", periods=1300)
    y = pd.Series(np.arange(1300) % 7, dtype=float)
    wide = bars(days, y, name="New highs", color="green", value_format=",.0f")
    assert too_dense_for_bars(1300) and isinstance(wide, go.Scatter)
    assert (wide.fill, wide.line.shape, wide.fillcolor) == ("tozeroy", "hv", "green")
    assert list(wide.y) == list(y) and wide.hovertemplate == "%{customdata:,.0f}"
    # A month of the same series is wide enough for bars; a half-width panel halves the room.
    month = bars(days[:21], y[:21], name="New highs", color="green", value_format=",.0f")
    assert isinstance(month, go.Bar) and month.marker.color == "green"
    assert not too_dense_for_bars(600) and too_dense_for_bars(600, width_columns=6)


def test_signed_bars_split_into_an_area_above_and_one_below_zero_with_one_tooltip():
    days = pd.bdate_range("2021-01-01", periods=1300)
    net = pd.Series(np.where(np.arange(1300) % 2, 120.0, -80.0))
    above, below = signed_bars(days, net, name="Net", up="green", down="red", value_format="+,.0f")
    assert (above.fillcolor, below.fillcolor) == ("green", "red")
    assert min(above.y) == 0 and max(below.y) == 0
    assert list(above.y + below.y) == list(net)  # together they are the series
    assert list(above.customdata) == list(net)  # the tooltip shows the signed value
    assert below.hoverinfo == "skip" and below.showlegend is False and below.legendgroup == above.legendgroup
    (few,) = signed_bars(days[:30], net[:30], name="Net", up="green", down="red", value_format="+,.0f")
    assert isinstance(few, go.Bar) and list(few.marker.color[:2]) == ["red", "green"]


def test_units_follow_the_value_as_a_reader_writes_them():
    """A percent sign is glued to its value ("4.2%"); a word-like unit is spaced ("80 $/bbl"), on
    the axis and in the tooltip."""
    frame = daily(10)
    per_barrel = history_figure(frame, {}, "$/bbl", decimals=2)
    assert per_barrel.layout.yaxis.ticksuffix == " $/bbl" and per_barrel.data[0].hovertemplate.endswith("f} $/bbl")
    percent = history_figure(frame, {}, "%", decimals=2)
    assert percent.layout.yaxis.ticksuffix == "%" and percent.data[0].hovertemplate.endswith("f}%")
