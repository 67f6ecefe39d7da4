"""monitoring/grafana: the committed dashboard JSON is what monitoring/grafana/boards.py generates,
the panels are well formed and laid out without overlap, every query names the provisioned data
source and only metrics the station exports (tests/integration/test_grafana_queries.py runs them
all through a real Prometheus)."""

from __future__ import annotations

import json

import pytest
import yaml

from monitoring.grafana import boards
from monitoring.grafana.panels import DATASOURCE, Panel, Query, Row, layout, targets
from tests.conftest import ROOT
from tests.unit.test_monitoring_rules import expr_metric_names

GRAFANA = ROOT / "monitoring" / "grafana"
# Every metric the station exports (middleware/metrics.py, middleware/station_metrics.py,
# sql/instrumentation.py, sql/memo.py); a histogram's series are its _bucket, _sum and _count.
STATION_METRICS = {
    "spartan_http_requests_total",
    "spartan_http_request_duration_seconds_bucket",
    "spartan_http_requests_in_progress",
    "spartan_db_query_duration_seconds_bucket",
    "spartan_db_connections_in_use",
    "spartan_db_pool_capacity",
    "spartan_cache_requests_total",
    "spartan_local_cache_requests_total",
    "spartan_database_up",
    "spartan_cache_up",
    "spartan_freshness_target_seconds",
    "spartan_dataset_age_seconds",
    "spartan_dataset_last_update_timestamp_seconds",
    "spartan_dataset_rows",
    "spartan_source_healthy",
    "spartan_sources",
    "spartan_preload_state",
    "spartan_sidecar_last_run_timestamp_seconds",
    "spartan_sidecar_last_run_duration_seconds",
    "spartan_sidecar_last_run_failed_sources",
    "spartan_sidecar_last_run_write_errors",
    "spartan_sidecar_last_run_instruments",
    "spartan_backup_last_success_timestamp_seconds",
    "spartan_backup_last_success_bytes",
    "spartan_backup_last_attempt_failed",
}


@pytest.fixture(scope="module")
def built() -> dict[str, dict]:
    return {name: build() for name, build in boards.BOARDS.items()}


def test_the_committed_json_is_the_generated_one():
    for name, text in boards.rendered().items():
        committed = GRAFANA / "dashboards" / name
        assert committed.is_file(), f"{name} missing: run python -m monitoring.grafana.boards"
        assert committed.read_text() == text, f"{name} is out of date: run python -m monitoring.grafana.boards"
    on_disk = {path.name for path in (GRAFANA / "dashboards").glob("*.json")}
    assert on_disk == set(boards.BOARDS)  # no board left behind that the code no longer makes
    assert boards.main(["--check"]) == 0


def test_the_check_reports_a_board_edited_by_hand(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(boards, "DASHBOARD_DIR", tmp_path)
    assert boards.main([]) == 0
    board = tmp_path / "data-sources.json"
    board.write_text(board.read_text().replace("Data sources", "Data sourcez"))
    assert boards.main(["--check"]) == 1
    assert "out of date: monitoring/grafana/dashboards/data-sources.json" in capsys.readouterr().out


def test_the_two_boards_and_the_panels_the_issue_asks_for(built):
    titles = {board["title"]: {panel["title"] for panel in board["panels"]} for board in built.values()}
    assert set(titles) == {"Station overview", "Data sources"}
    overview = titles["Station overview"]
    for wanted in (
        "Request rate by route",
        "Latency p50 by route",
        "Latency p95 by route",
        "Latency p99 by route",
        "Error rate",
        "Cache hit rate",
        "DB query time p95",
        "DB pool use",
        "Data age per dataset",
        "Source health",
        "Sidecar runs",
        "Sidecar run duration",
        "Backup age",
    ):
        assert wanted in overview, wanted


def test_panels_are_well_formed_and_do_not_overlap(built):
    assert len({board["uid"] for board in built.values()}) == len(built)
    for board in built.values():
        ids = [panel["id"] for panel in board["panels"]]
        assert len(ids) == len(set(ids)), board["title"]
        cells: set[tuple[int, int]] = set()
        for panel in board["panels"]:
            grid = panel["gridPos"]
            assert grid["x"] + grid["w"] <= 24, panel["title"]
            area = {
                (x, y) for x in range(grid["x"], grid["x"] + grid["w"]) for y in range(grid["y"], grid["y"] + grid["h"])
            }
            assert not area & cells, f"{board['title']}: {panel['title']} overlaps another panel"
            cells |= area
            if panel["type"] == "row":
                continue
            assert panel["description"], panel["title"]
            assert panel["datasource"] == DATASOURCE
            ref_ids = [target["refId"] for target in panel["targets"]]
            assert len(ref_ids) == len(set(ref_ids)), panel["title"]
            assert all(target["datasource"] == DATASOURCE for target in panel["targets"])


def test_queries_use_only_metrics_the_station_exports(built):
    used = set()
    for board in built.values():
        for title, expr in targets(board):
            names = expr_metric_names(expr.replace("$__rate_interval", "1m"))
            assert names, f"{title}: no metric in {expr}"
            used |= names
    assert used <= STATION_METRICS, sorted(used - STATION_METRICS)


def test_the_provisioned_data_source_is_the_one_the_boards_name():
    provisioned = yaml.safe_load((GRAFANA / "provisioning" / "datasources" / "prometheus.yml").read_text())
    (source,) = provisioned["datasources"]
    assert {"type": source["type"], "uid": source["uid"]} == DATASOURCE
    # $__rate_interval rests on the scrape interval the data source states: Prometheus's own.
    prometheus = yaml.safe_load((ROOT / "monitoring" / "prometheus" / "prometheus.yml").read_text())
    assert source["jsonData"]["timeInterval"] == prometheus["global"]["scrape_interval"]
    provider = yaml.safe_load((GRAFANA / "provisioning" / "dashboards" / "spartan.yml").read_text())
    assert provider["providers"][0]["type"] == "file" and provider["providers"][0]["allowUiUpdates"] is False


def test_the_layout_wraps_at_24_columns_and_a_row_starts_a_new_line():
    wide = Panel("a", "a", [Query("up")], width=16, height=4)
    panels = layout([Row("one"), wide, wide, Row("two"), Panel("b", "b", [Query("up")], width=8)])
    positions = [(p["title"], p["gridPos"]["x"], p["gridPos"]["y"]) for p in panels]
    assert positions == [("one", 0, 0), ("a", 0, 1), ("a", 0, 5), ("two", 0, 9), ("b", 0, 10)]


def test_a_panel_refuses_what_grafana_would_not_draw():
    with pytest.raises(ValueError, match="unknown type"):
        Panel("x", "x", [Query("up")], kind="pie")
    with pytest.raises(ValueError, match="no query"):
        Panel("x", "x", [])
    with pytest.raises(ValueError, match="width 30"):
        Panel("x", "x", [Query("up")], width=30)


def test_the_json_is_plain_json_grafana_can_load():
    for name in boards.BOARDS:
        board = json.loads((GRAFANA / "dashboards" / name).read_text())
        assert board["schemaVersion"] >= 36 and board["editable"] is False and board["uid"]
