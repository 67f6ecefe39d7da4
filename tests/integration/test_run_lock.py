"""Never two download runs at once, also across sidecar processes sharing a database."""

from __future__ import annotations

import threading

from config.catalog import load_catalog
from jobs import commands
from jobs.locks import run_lock
from sql.migrate import upgrade
from sql.store import Store, configure
from tests.conftest import make_settings
from tests.integration.test_jobs_cli import run_jobs


def test_the_run_lock_is_exclusive_and_released_after_the_run(store: Store):
    with run_lock(store) as first:
        assert first
        # Another holder: a separate database session (PostgreSQL) or file descriptor (SQLite),
        # which is what a second sidecar process would be.
        seen: list[bool] = []

        def second_holder() -> None:
            with run_lock(store) as got:
                seen.append(got)

        worker = threading.Thread(target=second_holder)
        worker.start()
        worker.join()
        assert seen == [False]
    with run_lock(store) as again:
        assert again


def test_a_refresh_or_preload_while_another_runs_is_skipped_not_queued(store: Store, httpserver, capsys):
    catalog = load_catalog(store.settings)
    with run_lock(store):
        assert commands.refresh(store, catalog) == commands.EXIT_LOCKED
        assert commands.preload(store, catalog, show_progress=False) == commands.EXIT_LOCKED
    assert "another run is in progress" in capsys.readouterr().err
    assert len(httpserver.log) == 0  # nothing was downloaded


def test_a_second_sidecar_process_exits_with_the_locked_code(tmp_path):
    settings = make_settings(tmp_path, "sqlite")
    store = configure(settings)
    upgrade(settings, store.engine)
    with run_lock(store):
        result = run_jobs("refresh", env={"SPARTAN_VAR_DIR": str(settings.var_dir)})
    assert result.returncode == commands.EXIT_LOCKED, result.stderr
    assert "refresh skipped: another run is in progress" in result.stderr
    store.engine.dispose()
