# One image for the web and the sidecar; only the command differs:
#   web (default):  gunicorn -c config/gunicorn.conf.py app:server --bind 0.0.0.0:8888 --workers 2
#                   (4 threads, 60 s timeout, Prometheus multiprocess metrics, JSON logs: see the config)
#   scheduler:      python -m jobs scheduler
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    SPARTAN_HOST=0.0.0.0

WORKDIR /app

# pg_dump/pg_restore for `python -m jobs backup|restore`, of the server's major version (compose
# runs postgres:16): PostgreSQL's own Debian repository, as bookworm ships version 15's.
ARG PG_MAJOR=16
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && install -d /usr/share/postgresql-common/pgdg \
    && curl -fsSL -o /usr/share/postgresql-common/pgdg/apt.postgresql.org.asc https://www.postgresql.org/media/keys/ACCC4CF8.asc \
    && echo "deb [signed-by=/usr/share/postgresql-common/pgdg/apt.postgresql.org.asc] https://apt.postgresql.org/pub/repos/apt bookworm-pgdg main" \
        > /etc/apt/sources.list.d/pgdg.list \
    && apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client-${PG_MAJOR} \
    && apt-get purge -y curl && apt-get autoremove -y && rm -rf /var/lib/apt/lists/*

# Dependencies first: this layer is rebuilt only when requirements.txt changes.
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY app.py pyproject.toml ./
COPY api ./api
COPY assets ./assets
COPY components ./components
COPY config ./config
COPY datasources ./datasources
COPY jobs ./jobs
COPY middleware ./middleware
COPY pages ./pages
COPY sql ./sql

# Code stays root-owned (read-only to the app), compiled once here so no process compiles it
# at start; the app writes only to /app/var (migration lock; SQLite and file cache when run
# without PostgreSQL and Redis).
RUN python -m compileall -q app.py api components config datasources jobs middleware pages sql \
    && useradd --create-home --uid 10001 --user-group spartan \
    && mkdir -p /app/var /backups \
    && chown spartan:spartan /app/var /backups
USER spartan

EXPOSE 8888
CMD ["gunicorn", "-c", "config/gunicorn.conf.py", "app:server", "--bind", "0.0.0.0:8888", "--workers", "2"]
