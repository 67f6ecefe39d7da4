"""The sidecar's long-running process: preload when needed, then refresh every hour and back the
database up once a day."""

from __future__ import annotations

import logging

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

from config.catalog import Catalog
from jobs import backup, commands, status
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
    if store.settings.backup_hour is not None:
        scheduler.add_job(
            backup.daily_backup,
            # Half an hour off the refresh: a backup during one is consistent, but slower for both.
            CronTrigger(
                hour=store.settings.backup_hour, minute=backup_minute(store.settings.refresh_minute), timezone="UTC"
            ),
            args=(store,),
            id="daily-backup",
            coalesce=True,
            max_instances=1,
            misfire_grace_time=3 * 3600,  # a sidecar restarted soon after still takes that day's backup
        )
    return scheduler


def backup_minute(refresh_minute: int) -> int:
    return (refresh_minute + 30) % 60


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
    if store.settings.backup_hour is not None:
        log.info(
            "daily backup at %02d:%02d UTC into %s, the newest %d kept",
            store.settings.backup_hour,
            backup_minute(store.settings.refresh_minute),
            store.settings.backup_dir,
            store.settings.backup_keep,
        )
    scheduler.start()
