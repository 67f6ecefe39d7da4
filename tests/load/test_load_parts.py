"""The parts of tests/load/run.py that decide a verdict, without a station: the /metrics parser,
the histogram quantile, the memory and pool judgement, the command line and the plan's pickers."""

from __future__ import annotations

import pytest

from tests.load import plan
from tests.load.run import parse_args
from tests.load.station import histogram_buckets, histogram_quantile, metric_sum, parse_metrics
from tests.load.watch import MIB, Sample, Watch, judge, memory

METRICS = """\
# HELP spartan_db_query_duration_seconds Time of one database statement.
# TYPE spartan_db_query_duration_seconds histogram
spartan_db_query_duration_seconds_bucket{le="0.01",operation="select"} 50.0
spartan_db_query_duration_seconds_bucket{le="0.1",operation="select"} 90.0
spartan_db_query_duration_seconds_bucket{le="+Inf",operation="select"} 100.0
spartan_db_query_duration_seconds_bucket{le="0.01",operation="insert"} 7.0
spartan_db_query_duration_seconds_bucket{le="0.1",operation="insert"} 7.0
spartan_db_query_duration_seconds_bucket{le="+Inf",operation="insert"} 7.0
spartan_db_connections_in_use 3.0
spartan_db_pool_capacity 30.0
spartan_db_errors_total{operation="connect"} 1.0
spartan_db_errors_total{operation="select"} 2.0
"""


def test_metrics_are_parsed_and_summed_by_label():
    samples = parse_metrics(METRICS)
    assert metric_sum(samples, "spartan_db_connections_in_use") == 3
    assert metric_sum(samples, "spartan_db_errors_total") == 3
    assert metric_sum(samples, "spartan_db_errors_total", operation="connect") == 1
    assert histogram_buckets(samples, "spartan_db_query_duration_seconds", operation="select") == [
        (0.01, 50.0),
        (0.1, 90.0),
        (float("inf"), 100.0),
    ]


def test_histogram_quantile_interpolates_between_two_scrapes_as_prometheus_does():
    after = histogram_buckets(parse_metrics(METRICS), "spartan_db_query_duration_seconds", operation="select")
    assert histogram_quantile(0.5, [], after) == pytest.approx(0.01)
    assert histogram_quantile(0.7, [], after) == pytest.approx(0.01 + 0.09 * 0.5)
    assert histogram_quantile(0.95, [], after) == pytest.approx(0.1)  # past the last bound: its edge
    before = [(0.01, 50.0), (0.1, 50.0), (float("inf"), 50.0)]  # between the scrapes: 40 under 0.1 s, 10 over
    assert histogram_quantile(0.5, before, after) == pytest.approx(0.01 + 0.09 * 25 / 40)
    assert histogram_quantile(0.95, after, after) is None  # nothing observed between them


def _watch(rss_mib: list[dict[int, float]], in_use: float = 2, errors: list[float] | None = None) -> Watch:
    watch = Watch(station=None, interval=1)
    errors = errors or [0.0] * len(rss_mib)
    for at, (rss, err) in enumerate(zip(rss_mib, errors, strict=True)):
        watch.samples.append(Sample(float(at), {p: int(v * MIB) for p, v in rss.items()}, in_use, 30, err))
    return watch


def test_steady_memory_and_a_pool_with_room_pass():
    watch = _watch([{1: 200 + (i % 2), 2: 210} for i in range(10)])
    assert judge(watch, warmup=2, rss_growth_mib=32, workers=2, log="") == []
    first = memory(watch.samples, warmup=2)[0]
    assert first.pid == 1 and abs(first.growth_mib) <= 1 and abs(first.slope_mib_per_min) < 10


def test_memory_grown_past_the_bound_after_warm_up_fails_but_not_during_it():
    growing = _watch([{1: 100 + 10 * i} for i in range(10)])  # 10 MiB a sample
    assert any("grew" in p for p in judge(growing, warmup=2, rss_growth_mib=32, workers=1, log=""))
    warming = _watch([{1: 100 + (200 if i else 0)} for i in range(10)])  # one jump, at start
    assert judge(warming, warmup=2, rss_growth_mib=32, workers=1, log="") == []
    assert memory(growing.samples, warmup=2)[0].slope_mib_per_min == pytest.approx(600)


def test_an_exhausted_pool_database_errors_a_pool_timeout_or_a_dead_worker_fail():
    rss = [{1: 100, 2: 100}] * 4
    assert any("pool ran full" in p for p in judge(_watch(rss, in_use=15), 0, None, 2, ""))
    assert any("database errors" in p for p in judge(_watch(rss, errors=[0, 0, 1, 1]), 0, None, 2, ""))
    assert any("timed out" in p for p in judge(_watch(rss), 0, None, 2, "QueuePool limit of size 5 reached"))
    assert any("workers gone" in p for p in judge(_watch([{1: 100, 2: 100}, {1: 100}]), 0, None, 2, ""))


def test_the_command_line_refuses_what_it_cannot_run():
    assert parse_args([]).users == 1000 and parse_args([]).p95_limit == 200
    for bad in (["--users", "0"], ["--wait", "soon"], ["--no-load"], ["--soak", "-1"], ["--plan-every", "0"]):
        with pytest.raises(SystemExit):
            parse_args(bad)


def test_pickers_are_found_anywhere_in_a_layout():
    layout = {
        "props": {
            "children": [
                {"props": {"id": "x", "children": []}},
                {
                    "props": {
                        "id": {"type": "view-picker", "index": "p"},
                        "options": [{"value": "A"}, "B"],
                        "value": "A",
                    }
                },
            ]
        }
    }
    assert plan.pickers(layout) == [("p", "A", ["A", "B"])]
    body = plan.picker_body("p", "B")
    assert body["changedPropIds"] == ['{"index":"p","type":"view-picker"}.value']
