"""The station's Grafana dashboards, as code: ``python -m monitoring.grafana.boards`` writes them to
monitoring/grafana/dashboards/*.json, which Grafana loads at start (provisioning); ``--check``
only says whether the committed files are up to date (tests/unit/test_grafana_boards.py does too).

Only metrics the station exports are used (middleware/metrics.py, middleware/station_metrics.py,
sql/instrumentation.py, sql/memo.py); tests/integration/test_grafana_queries.py runs every query
through a real Prometheus scraping a running station and requires a result from each.
Grafana's ``$__rate_interval`` is at least four scrape intervals (the data source says 15 s).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from monitoring.grafana.panels import Panel, Query, Row, dashboard, variable

DASHBOARD_DIR = Path(__file__).resolve().parent / "dashboards"
RATE = "[$__rate_interval]"
# The scrapes themselves would swamp the traffic of a quiet station.
NOT_SCRAPES = 'endpoint!="/metrics"'
HOUR, DAY = 3600, 86400


def _latency(quantile: float) -> Panel:
    percent = round(quantile * 100)
    return Panel(
        f"Latency p{percent} by route",
        f"{percent}th percentile of the time to answer, per Flask URL rule, from the request-duration histogram "
        "(buckets up to 30 s; 0.2 s is the API's p95 target).",
        [
            Query(
                f"histogram_quantile({quantile}, sum by (le, endpoint) "
                f"(rate(spartan_http_request_duration_seconds_bucket{{{NOT_SCRAPES}}}{RATE})))",
                "{{endpoint}}",
            )
        ],
        unit="s",
        width=8,
    )


def station_overview() -> dict:
    requests = "spartan_http_requests_total"
    items: list[Panel | Row] = [
        Row("Traffic"),
        Panel(
            "Request rate by route",
            "Requests answered per second, per Flask URL rule (all Dash callbacks are /_dash-update-component; "
            "'unmatched' is every URL no route matched). Prometheus's own scrapes of /metrics are left out.",
            [Query(f"sum by (endpoint) (rate({requests}{{{NOT_SCRAPES}}}{RATE}))", "{{endpoint}}")],
            unit="reqps",
        ),
        Panel(
            "Error rate",
            "Share of requests answered with a 5xx (server error) and a 4xx (refused or not found). "
            "The SpartanHighErrorRate alert fires above 5 % of 5xx.",
            [
                Query(
                    f'(sum(rate({requests}{{status_class="5xx"}}{RATE})) or vector(0)) / sum(rate({requests}{RATE}))',
                    "5xx",
                ),
                Query(
                    f'(sum(rate({requests}{{status_class="4xx"}}{RATE})) or vector(0)) / sum(rate({requests}{RATE}))',
                    "4xx",
                ),
            ],
            unit="percentunit",
            minimum=0,
        ),
        _latency(0.5),
        _latency(0.95),
        _latency(0.99),
        Panel(
            "Requests in progress",
            "Requests being answered right now, over every web worker.",
            [Query("sum(spartan_http_requests_in_progress)", "in progress")],
            width=8,
        ),
        Panel(
            "Responses by status class",
            "Requests per second by status class (2xx … 5xx).",
            [Query(f"sum by (status_class) (rate({requests}{RATE}))", "{{status_class}}")],
            unit="reqps",
            width=16,
        ),
        Row("Cache and database"),
        Panel(
            "Cache hit rate",
            "Share of cache reads that found their key, per backend (Redis, or the file cache without Redis); "
            "the second line is the web process's own memory in front of it.",
            [
                Query(
                    f'sum by (backend) (rate(spartan_cache_requests_total{{result="hit"}}{RATE})) '
                    f"/ sum by (backend) (rate(spartan_cache_requests_total{RATE}))",
                    "{{backend}}",
                ),
                Query(
                    f'sum(rate(spartan_local_cache_requests_total{{result="hit"}}{RATE})) '
                    f"/ sum(rate(spartan_local_cache_requests_total{RATE}))",
                    "process memory",
                ),
            ],
            unit="percentunit",
            minimum=0,
            maximum=1,
            width=8,
        ),
        Panel(
            "DB query time p95",
            "95th percentile of the time of one SQL statement, by kind of statement.",
            [
                Query(
                    "histogram_quantile(0.95, sum by (le, operation) "
                    f"(rate(spartan_db_query_duration_seconds_bucket{RATE})))",
                    "{{operation}}",
                )
            ],
            unit="s",
            width=8,
        ),
        Panel(
            "DB pool use",
            "Connections checked out of the pool over the connections it may hold (pool size plus overflow), "
            "summed over the web workers. Near 100 % requests wait for a connection.",
            [
                Query("sum(spartan_db_connections_in_use) / sum(spartan_db_pool_capacity)", "in use / capacity"),
            ],
            unit="percentunit",
            minimum=0,
            maximum=1,
            width=8,
        ),
        Panel(
            "Database and cache up",
            "1 when the database answers SELECT 1 and the cache a write/read round trip, at scrape time.",
            [
                Query("min(spartan_database_up)", "database", instant=True),
                Query("min(spartan_cache_up)", "cache", instant=True),
            ],
            kind="stat",
            thresholds=[(None, "red"), (1, "green")],
            value_mappings={"0": "down", "1": "up"},
            width=6,
            height=5,
        ),
        Panel(
            "Connections in use",
            "Pooled connections checked out right now and the pool's capacity, over the web workers.",
            [
                Query("sum(spartan_db_connections_in_use)", "in use"),
                Query("sum(spartan_db_pool_capacity)", "capacity"),
            ],
            width=18,
            height=5,
        ),
        Row("Data"),
        Panel(
            "Data age per dataset",
            "Time since each dataset was last updated: yellow past an hour, red past a day. The Data sources "
            "board compares it with the freshness target (SPARTAN_FRESHNESS_TARGET_MINUTES).",
            [Query("max by (dataset) (spartan_dataset_age_seconds)", "{{dataset}}", instant=True)],
            kind="bargauge",
            unit="s",
            thresholds=[(None, "green"), (HOUR, "yellow"), (DAY, "red")],
            height=10,
        ),
        Panel(
            "Source health",
            "Catalogued sources per health state: ok and degraded work, failing and circuit_open do not, "
            "not_configured lack a key, not_used_yet have not been asked yet.",
            [Query("max by (state) (spartan_sources)", "{{state}}", instant=True)],
            kind="bargauge",
            height=10,
        ),
        Row("Sidecar and backups"),
        Panel(
            "Since the last sidecar run",
            "Time since the sidecar's last preload and refresh finished (SpartanRefreshNotRunning: over 2 h).",
            [Query("time() - max by (kind) (spartan_sidecar_last_run_timestamp_seconds)", "{{kind}}", instant=True)],
            kind="stat",
            unit="s",
            thresholds=[(None, "green"), (2 * HOUR, "red")],
            width=6,
        ),
        Panel(
            "Sidecar runs",
            "Runs that finished in the last 6 hours, by kind (the refresh runs hourly).",
            [Query("max by (kind) (changes(spartan_sidecar_last_run_timestamp_seconds[6h]))", "{{kind}}")],
            width=6,
        ),
        Panel(
            "Sidecar run duration",
            "How long the last run of each kind took.",
            [Query("max by (kind) (spartan_sidecar_last_run_duration_seconds)", "{{kind}}")],
            unit="s",
            width=6,
        ),
        Panel(
            "Failures of the last run",
            "Sources whose every attempt failed and datasets that could not be written in the last run.",
            [
                Query("max by (kind) (spartan_sidecar_last_run_failed_sources)", "failed sources {{kind}}"),
                Query("max by (kind) (spartan_sidecar_last_run_write_errors)", "write errors {{kind}}"),
            ],
            width=6,
        ),
        Panel(
            "Backup age",
            "Time since the last successful backup (the sidecar's daily one or `python -m jobs backup`).",
            [Query("time() - max(spartan_backup_last_success_timestamp_seconds)", "backup age", instant=True)],
            kind="stat",
            unit="s",
            thresholds=[(None, "green"), (26 * HOUR, "yellow"), (2 * DAY, "red")],
            width=8,
            height=5,
        ),
        Panel(
            "Last backup size",
            "Size of the newest successful backup file.",
            [Query("max(spartan_backup_last_success_bytes)", "bytes", instant=True)],
            kind="stat",
            unit="bytes",
            width=8,
            height=5,
        ),
        Panel(
            "Last backup attempt",
            "Whether the last backup attempt failed (the age above then keeps growing).",
            [Query("max(spartan_backup_last_attempt_failed)", "failed", instant=True)],
            kind="stat",
            thresholds=[(None, "green"), (1, "red")],
            value_mappings={"0": "ok", "1": "failed"},
            width=8,
            height=5,
        ),
    ]
    return dashboard(
        "spartan-station-overview",
        "Station overview",
        "Traffic, latency and errors of the web; cache and database; data age and source health; "
        "the sidecar's runs and the backups. docs/MONITORING.md explains each panel.",
        items,
    )


def data_sources() -> dict:
    healthy = 'spartan_source_healthy{category=~"$category"}'
    items: list[Panel | Row] = [
        Row("Sources"),
        Panel(
            "Sources in use that work",
            "Share of the sources in use (not counting unconfigured or unused ones) whose last run worked; "
            "SpartanDataSourcesFailing fires below 90 %.",
            [Query(f"sum(max by (source_id) ({healthy})) / count(max by (source_id) ({healthy}))", instant=True)],
            kind="stat",
            unit="percentunit",
            thresholds=[(None, "red"), (0.9, "green")],
            width=6,
        ),
        Panel(
            "Sources by state",
            "Catalogued sources per health state.",
            [Query("max by (state) (spartan_sources)", "{{state}}", instant=True)],
            kind="bargauge",
            width=9,
        ),
        Panel(
            "Working sources by category",
            "Per category: working sources / sources in use.",
            [Query(f"sum by (category) ({healthy}) / count by (category) ({healthy})", "{{category}}", instant=True)],
            kind="bargauge",
            unit="percentunit",
            minimum=0,
            maximum=1,
            thresholds=[(None, "red"), (0.9, "green")],
            width=9,
        ),
        Panel(
            "Health per source",
            "1: the source's last run worked (ok, degraded); 0: it failed (failing, circuit open).",
            [Query(f"max by (source_id, category) ({healthy})", instant=True)],
            kind="table",
            thresholds=[(None, "red"), (1, "green")],
            value_mappings={"0": "failing", "1": "working"},
            height=10,
        ),
        Panel(
            "Source health over time",
            "The same, over time: a line dropping to 0 is a source that stopped working.",
            [Query(f"max by (source_id) ({healthy})", "{{source_id}}")],
            minimum=0,
            maximum=1,
            height=10,
        ),
        Row("Datasets"),
        Panel(
            "Data age against the freshness target",
            "Each dataset's age divided by the freshness target: above 1 the dataset is stale.",
            [
                Query(
                    "max by (dataset) (spartan_dataset_age_seconds) / scalar(max(spartan_freshness_target_seconds))",
                    "{{dataset}}",
                )
            ],
            unit="percentunit",
            thresholds=[(None, "green"), (1, "red")],
        ),
        Panel(
            "Rows per dataset",
            "Rows stored per dataset.",
            [Query("max by (dataset) (spartan_dataset_rows)", "{{dataset}}", instant=True)],
            kind="bargauge",
        ),
        Panel(
            "Last update per dataset",
            "When each dataset was last written.",
            [Query("max by (dataset) (spartan_dataset_last_update_timestamp_seconds) * 1000", instant=True)],
            kind="table",
            unit="dateTimeAsIso",
            width=24,
        ),
        Row("Downloads"),
        Panel(
            "Instruments of the last run",
            "Instruments the last preload and refresh attempted (total), downloaded (ok) and left for later (skipped).",
            [
                Query(
                    "max by (kind, outcome) (spartan_sidecar_last_run_instruments)",
                    "{{kind}} {{outcome}}",
                    instant=True,
                )
            ],
            kind="bargauge",
        ),
        Panel(
            "Preload state",
            "The current state of the preload (complete once the first full download finished).",
            [Query("max by (state) (spartan_preload_state) == 1", "{{state}}", instant=True)],
            kind="stat",
            unit="none",
            width=12,
        ),
    ]
    return dashboard(
        "spartan-data-sources",
        "Data sources",
        "Health of every data source, the datasets' freshness and size, and what the sidecar downloaded.",
        items,
        [variable("category", "Category", "spartan_source_healthy", "category")],
    )


BOARDS = {"station-overview.json": station_overview, "data-sources.json": data_sources}


def rendered() -> dict[str, str]:
    """Each dashboard file's name and its JSON text, as committed."""
    return {name: json.dumps(build(), indent=2, sort_keys=True) + "\n" for name, build in BOARDS.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m monitoring.grafana.boards", description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="only say whether the committed JSON is up to date")
    args = parser.parse_args(argv)
    stale = [name for name, text in rendered().items() if _read(DASHBOARD_DIR / name) != text]
    if args.check:
        for name in stale:
            print(f"out of date: monitoring/grafana/dashboards/{name} (run python -m monitoring.grafana.boards)")
        return 1 if stale else 0
    DASHBOARD_DIR.mkdir(exist_ok=True)
    for name, text in rendered().items():
        (DASHBOARD_DIR / name).write_text(text)
        print(f"{'written' if name in stale else 'unchanged'}: monitoring/grafana/dashboards/{name}")
    return 0


def _read(path: Path) -> str | None:
    return path.read_text() if path.exists() else None


if __name__ == "__main__":
    sys.exit(main())
