"""The sidecar's long-running process: preload when needed, then refresh every hour."""

from __future__ import annotations

import logging

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

from config.catalog import Catalog
from jobs import commands, status
from sql.store import Store

log = logging.getLogger(__name__)


def build_scheduler(store: Store, catalog: Catalog) -> BlockingScheduler:
    scheduler = BlockingScheduler(timezone="UTC")
    scheduler.add_job(
        commands.refresh,
        CronTrigger(minute=store.settings.refresh_minute, timezone="UTC"),
        args=(store, catalog),
        kwargs={"report": False},  # its summary goes to the log (JSON lines), not to stdout
        id="hourly-refresh",
        coalesce=True,  # missed runs collapse into one
        max_instances=1,  # never two refreshes at once in this process
        misfire_grace_time=15 * 60,
    )
    return scheduler


def run_scheduler(store: Store, catalog: Catalog, preload: bool = True) -> None:
    if preload:
        if commands.needs_preload(store):
            log.info("data missing or older than %d min: preloading", store.settings.preload_max_age_minutes)
            commands.preload(store, catalog, show_progress=False, report=False)
        elif status.preload_unfinished():
            # Fresh but partial data (a preload killed part-way): a refresh downloads what it
            # missed now, instead of a "skipped" status claiming the data complete.
            log.info("the last preload did not finish: refreshing now to complete the data")
            commands.refresh(store, catalog, report=False)
        else:
            status.preload_skipped()
    scheduler = build_scheduler(store, catalog)
    log.info("scheduler started: refresh at minute %d of every hour", store.settings.refresh_minute)
    scheduler.start()
