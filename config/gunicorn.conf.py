"""Gunicorn settings of the web: ``gunicorn -c config/gunicorn.conf.py app:server``.

- Prometheus metrics across workers: ``PROMETHEUS_MULTIPROC_DIR`` is set here, in the master,
  before any worker imports prometheus_client; each worker writes its values into files there
  and ``/metrics`` adds them up (middleware/metrics.py). Without the variable a fresh private
  directory is made (and removed on exit); a directory given in the variable is emptied at
  start, so counts of an earlier run never leak in. A worker that exits is marked dead, so
  its live gauges (requests in progress, connections in use) stop counting.
- Logs: the app writes one access line per request itself (with its request id), so
  gunicorn's access log is off; gunicorn's own messages use the station's formatter (JSON
  lines, or text on a terminal: ``SPARTAN_LOG_FORMAT``).

Command-line options (``--bind``, ``--workers``) override what is set here.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from gunicorn import glogging  # noqa: E402

from config.logging_setup import make_formatter  # noqa: E402
from config.settings import load_settings  # noqa: E402

_settings = load_settings()

bind = f"{_settings.host}:{_settings.port}"
workers = int(os.environ.get("WEB_CONCURRENCY") or 2)  # gunicorn's own variable
threads = 4
timeout = 60
accesslog = None  # the app logs each request (middleware/metrics.py)
errorlog = "-"
# No control socket (~/.gunicorn/gunicorn.ctl): nothing uses it, and two instances would share it.
control_socket_disable = True

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
# Re-read on a reload (SIGHUP): the directory chosen at the first read is kept.
if not os.environ.get(MULTIPROC_ENV):
    os.environ[MULTIPROC_ENV] = tempfile.mkdtemp(prefix="spartan-metrics-")
    os.environ["SPARTAN_METRICS_DIR_OWNED"] = "1"


def on_starting(server) -> None:
    """Master, once, before the first worker: an empty metrics directory."""
    path = Path(os.environ[MULTIPROC_ENV])
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink()


def child_exit(server, worker) -> None:
    """Master, after a worker exited: drop its live gauges."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server) -> None:
    if os.environ.get("SPARTAN_METRICS_DIR_OWNED") == "1":
        shutil.rmtree(os.environ[MULTIPROC_ENV], ignore_errors=True)


class StationLogger(glogging.Logger):
    """Gunicorn's error log in the station's format (its access log stays off)."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        formatter = make_formatter(_settings.log_format)
        for handler in self.error_log.handlers:
            handler.setFormatter(formatter)


logger_class = StationLogger
