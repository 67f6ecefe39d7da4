"""/metrics and the last backup: no samples before the first backup, its time and size after one,
and a failed attempt flagged while the last success stays (the Grafana board's "backup age")."""

from __future__ import annotations

import time

import pytest
from prometheus_client.parser import text_string_to_metric_families

from jobs.backup import create_backup, record_backup
from tests.conftest import drop_backend, make_settings

BACKUP_METRICS = (
    "spartan_backup_last_attempt_failed",
    "spartan_backup_last_success_timestamp_seconds",
    "spartan_backup_last_success_bytes",
)


@pytest.fixture
def client(tmp_path):
    import app as webapp

    settings = make_settings(tmp_path, "sqlite")
    dash_app = webapp.create_app(settings)
    yield dash_app.server.test_client()
    drop_backend(settings)


def backup_samples(client) -> dict[str, float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    found = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            if sample.name in BACKUP_METRICS:
                found[sample.name] = sample.value
    return found


def test_the_last_backup_is_exported_with_its_time_size_and_failure(client, tmp_path):
    from sql.store import get_store

    assert backup_samples(client) == {}  # never backed up: nothing, not a made-up age

    store = get_store()
    before = time.time()
    result = create_backup(store, tmp_path / "backups")
    record_backup(store, result)
    samples = backup_samples(client)
    assert samples["spartan_backup_last_attempt_failed"] == 0
    assert samples["spartan_backup_last_success_bytes"] == result.bytes > 0
    stamp = samples["spartan_backup_last_success_timestamp_seconds"]
    assert before - 1 <= stamp <= time.time() + 1

    record_backup(store, None, "No space left on device")
    failed = backup_samples(client)
    assert failed["spartan_backup_last_attempt_failed"] == 1
    # The age keeps counting from the last success, so the board shows how old the newest good one is.
    assert failed["spartan_backup_last_success_timestamp_seconds"] == stamp
    assert failed["spartan_backup_last_success_bytes"] == result.bytes
