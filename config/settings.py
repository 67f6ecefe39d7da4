"""Settings from environment variables prefixed ``SPARTAN_``.

With nothing set the station runs embedded: a SQLite file and a file-system cache
under ``var/``. ``SPARTAN_DATABASE_URL`` and ``SPARTAN_REDIS_URL`` switch to
PostgreSQL and Redis. Secrets are kept out of ``repr`` so they never reach a log.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from urllib.parse import urlsplit

from config.redis_url import RedisUrlError, parse_redis_url

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class SettingsError(ValueError):
    """A SPARTAN_* variable has a value the station cannot use."""


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 0, maximum: int | None = None) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise SettingsError(f"{name} must be <= {maximum}, got {value}")
    return value


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise SettingsError(f"{name} must be a finite number > 0, got {raw!r}")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if raw == "":
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be 1/0, true/false, yes/no or on/off, got {raw!r}")


def _rate_limits(env: Mapping[str, str], name: str, default: str) -> str:
    """A rate limit string such as ``120/minute,2000/hour`` (``off``: no limit of this class)."""
    raw = (env.get(name) or "").strip()
    if raw == "":
        return default
    if raw.lower() in ("off", "none"):
        return ""
    from limits import parse_many

    try:
        parse_many(raw)
    except ValueError:
        raise SettingsError(f"{name} must look like '120/minute,2000/hour', got {raw!r}") from None
    return raw


def _choice(env: Mapping[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    raw = (env.get(name) or "").strip().lower()
    if raw == "":
        return default
    if raw not in choices:
        raise SettingsError(f"{name} must be one of {', '.join(choices)}, got {raw!r}")
    return raw


def _backup_hour(env: Mapping[str, str]) -> int | None:
    """``SPARTAN_BACKUP_HOUR``: the UTC hour of the sidecar's daily backup, or ``off``."""
    if (env.get("SPARTAN_BACKUP_HOUR") or "").strip().lower() in ("off", "none"):
        return None
    return _int(env, "SPARTAN_BACKUP_HOUR", 2, maximum=23)


def redact_url(url: str | None) -> str | None:
    """Hide the password of a connection URL (``user:***@host``)."""
    if not url:
        return url
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


@dataclass(frozen=True)
class Settings:
    """Every tunable of the station; build it with :func:`load_settings`."""

    var_dir: Path
    database_url: str = field(repr=False)
    redis_url: str | None = field(repr=False)
    db_schema: str
    cache_dir: Path
    cache_prefix: str
    host: str
    port: int
    log_level: str
    fred_base_url: str
    http_timeout: float
    http_retries: int
    http_max_retry_after: float
    refresh_minute: int
    max_daily_jump: float
    workers: int
    rate_limit_multiplier: float
    preload_max_age_minutes: int
    freshness_target_minutes: int
    embed_origins: tuple[str, ...]
    # (source id, URL) pairs: a tuple keeps Settings hashable.
    base_url_overrides: tuple[tuple[str, str], ...] = field(repr=False)
    sources_file: Path
    # Web hardening (middleware/rate_limits.py): per-IP rate limits ("N/period,…" in the syntax of the
    # `limits` package), proxies trusted for X-Forwarded-For/-Proto, the audit log file.
    rate_limit_enabled: bool = True
    rate_limit_api: str = "120/minute,2000/hour"
    rate_limit_web: str = "600/minute,10000/hour"
    rate_limit_probe: str = "600/minute"
    trusted_proxies: int = 0
    audit_log: Path | None = None
    # Log lines: "json" (one object a line), "text" (readable) or "auto" (text on a terminal).
    log_format: str = "auto"
    # How often each web process checks whether the data moved, to rebuild every page's default
    # view into the cache (pages/warm.py); 0: never.
    page_warm_seconds: int = 5
    # The read path (sql/versions.py, sql/memo.py): how long a process trusts its copy of the
    # dataset versions before asking the database again; how long after a failed database read
    # it serves from the cache alone before trying again; the per-process memo of reads in MB;
    # how long the shared cache keeps a read (the version in its key decides its freshness).
    version_check_seconds: float = 1.0
    db_retry_seconds: float = 2.0
    local_cache_mb: int = 128
    cache_data_ttl: int = 6 * 3600
    # Backups (jobs/backup.py): where they are written, how many the sidecar's daily backup
    # keeps (the newest), the UTC hour it runs at (None: no daily backup).
    backup_dir: Path = PROJECT_ROOT / "var" / "backups"
    backup_keep: int = 7
    backup_hour: int | None = 2
    # Users and access (middleware/auth.py): "none" (everything public, the embedded default),
    # "local" (users in the database). The secret signs session cookies and CSRF tokens; the
    # first admin is created from SPARTAN_ADMIN_USER/_PASSWORD when no user exists yet.
    auth: str = "none"
    secret_key: str | None = field(default=None, repr=False)
    admin_user: str | None = None
    admin_password: str | None = field(default=None, repr=False)
    cookie_secure: bool = False
    session_hours: int = 12
    remember_days: int = 30
    login_max_failures: int = 5
    lockout_minutes: int = 15
    rate_limit_login: str = "10/minute,100/hour"
    # SPARTAN_AUTH=oidc (middleware/oidc.py): the OpenID provider (discovered from the issuer's
    # /.well-known/openid-configuration), this station's client there, and who becomes admin
    # (users named in oidc_admins, or carrying one of oidc_admin_groups in oidc_groups_claim).
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = field(default=None, repr=False)
    oidc_scopes: str = "openid email profile"
    oidc_provider_name: str = "OpenID Connect"
    oidc_admins: tuple[str, ...] = ()
    oidc_admin_groups: tuple[str, ...] = ()
    oidc_groups_claim: str = "groups"
    oidc_timeout: float = 10.0
    # Networks whose scrapers read /metrics without a login (e.g. Prometheus on the internal network).
    metrics_allow: tuple[str, ...] = ()

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith(("postgresql", "postgres"))

    @property
    def cache_backend(self) -> str:
        return "redis" if self.redis_url else "filesystem"

    def describe(self) -> dict[str, object]:
        """Settings safe to print or serve: URLs with their passwords hidden."""
        out: dict[str, object] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in ("database_url", "redis_url"):
                value = redact_url(value)
            elif f.name in SECRET_FIELDS:
                value = "***" if value else None
            out[f.name] = str(value) if isinstance(value, Path) else value
        return out


BASE_URL_PREFIX = "SPARTAN_BASE_URL_"
SECRET_FIELDS = frozenset({"secret_key", "admin_password", "oidc_client_secret"})
AUTH_MODES = ("none", "local", "oidc")
MIN_SECRET_KEY_LENGTH = 32


def _auth(env: Mapping[str, str]) -> dict[str, object]:
    """The access settings; ``local`` and ``oidc`` need a secret key long enough to sign sessions
    with, ``oidc`` its provider and client."""
    mode = _choice(env, "SPARTAN_AUTH", "none", AUTH_MODES)
    secret = env.get("SPARTAN_SECRET_KEY") or None
    if mode != "none":
        if not secret:
            raise SettingsError(f"SPARTAN_AUTH={mode} needs SPARTAN_SECRET_KEY (e.g. `openssl rand -hex 32`)")
        if len(secret) < MIN_SECRET_KEY_LENGTH:
            raise SettingsError(f"SPARTAN_SECRET_KEY must be at least {MIN_SECRET_KEY_LENGTH} characters long")
    admin_user = (env.get("SPARTAN_ADMIN_USER") or "").strip() or None
    admin_password = env.get("SPARTAN_ADMIN_PASSWORD") or None
    if bool(admin_user) != bool(admin_password):
        raise SettingsError("SPARTAN_ADMIN_USER and SPARTAN_ADMIN_PASSWORD go together: set both or neither")
    return {
        "auth": mode,
        "secret_key": secret,
        "admin_user": admin_user,
        "admin_password": admin_password,
        "cookie_secure": _bool(env, "SPARTAN_COOKIE_SECURE", False),
        "session_hours": _int(env, "SPARTAN_SESSION_HOURS", 12, minimum=1, maximum=24 * 7),
        "remember_days": _int(env, "SPARTAN_REMEMBER_DAYS", 30, minimum=0, maximum=30),
        "login_max_failures": _int(env, "SPARTAN_LOGIN_MAX_FAILURES", 5, minimum=1),
        "lockout_minutes": _int(env, "SPARTAN_LOCKOUT_MINUTES", 15, minimum=1),
        "rate_limit_login": _rate_limits(env, "SPARTAN_RATE_LIMIT_LOGIN", "10/minute,100/hour"),
        "metrics_allow": _networks(env, "SPARTAN_METRICS_ALLOW"),
        **(_oidc(env) if mode == "oidc" else {}),
    }


def _names(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in (env.get(name) or "").split(",") if item.strip())


LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})


def _oidc(env: Mapping[str, str]) -> dict[str, object]:
    """SPARTAN_OIDC_*: the issuer (an http(s) URL), the client id, scopes that include openid."""
    issuer = (env.get("SPARTAN_OIDC_ISSUER") or "").strip()
    if not issuer:
        raise SettingsError("SPARTAN_AUTH=oidc needs SPARTAN_OIDC_ISSUER (the provider's issuer URL)")
    if not issuer.startswith(("https://", "http://")) or " " in issuer:
        raise SettingsError(f"SPARTAN_OIDC_ISSUER must be an http(s) URL, got {issuer!r}")
    host = urlsplit(issuer).hostname or ""
    if issuer.startswith("http://") and host not in LOOPBACK and not _bool(env, "SPARTAN_OIDC_ALLOW_HTTP", False):
        # Over plain http anyone on the way could hand the station their own keys.
        raise SettingsError("SPARTAN_OIDC_ISSUER must be https (or set SPARTAN_OIDC_ALLOW_HTTP=1 on a trusted network)")
    client_id = (env.get("SPARTAN_OIDC_CLIENT_ID") or "").strip()
    if not client_id:
        raise SettingsError("SPARTAN_AUTH=oidc needs SPARTAN_OIDC_CLIENT_ID (this station's client at the provider)")
    scopes = " ".join((env.get("SPARTAN_OIDC_SCOPES") or "openid email profile").replace(",", " ").split())
    if "openid" not in scopes.split():
        raise SettingsError(f"SPARTAN_OIDC_SCOPES must include openid, got {scopes!r}")
    name = " ".join((env.get("SPARTAN_OIDC_PROVIDER_NAME") or "").split())[:64]
    return {
        "oidc_issuer": issuer,
        "oidc_client_id": client_id,
        "oidc_client_secret": env.get("SPARTAN_OIDC_CLIENT_SECRET") or None,
        "oidc_scopes": scopes,
        "oidc_provider_name": name or "OpenID Connect",
        "oidc_admins": tuple(n.lower() for n in _names(env, "SPARTAN_OIDC_ADMINS")),
        "oidc_admin_groups": _names(env, "SPARTAN_OIDC_ADMIN_GROUPS"),
        "oidc_groups_claim": (env.get("SPARTAN_OIDC_GROUPS_CLAIM") or "groups").strip(),
        "oidc_timeout": _float(env, "SPARTAN_OIDC_TIMEOUT", 10.0),
    }


def _networks(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    """A comma-separated list of networks (``10.0.0.0/8,::1``), each checked and normalised."""
    import ipaddress

    out = []
    for item in (env.get(name) or "").split(","):
        if item.strip():
            try:
                out.append(str(ipaddress.ip_network(item.strip(), strict=False)))
            except ValueError:
                raise SettingsError(f"{name} must list networks like 10.0.0.0/8,::1, got {item.strip()!r}") from None
    return tuple(out)


def _base_url_overrides(env: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """``SPARTAN_BASE_URL_<SOURCE_ID>=…`` points one source elsewhere; ``SPARTAN_BASE_URL_ALL``
    points every source at one server (a local fixture server in tests and demos)."""
    out = {}
    for name, value in env.items():
        if name.startswith(BASE_URL_PREFIX) and value:
            if not value.startswith(("http://", "https://")):
                raise SettingsError(f"{name} must be an http(s) URL")
            out[name[len(BASE_URL_PREFIX) :].lower()] = value.rstrip("/")
    return tuple(sorted(out.items()))


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read the settings from ``env`` (default: the process environment)."""
    env = os.environ if env is None else env
    var_dir = Path(env.get("SPARTAN_VAR_DIR") or PROJECT_ROOT / "var")
    database_url = env.get("SPARTAN_DATABASE_URL") or f"sqlite:///{var_dir / 'spartan.db'}"
    for plain in ("postgres://", "postgresql://"):
        if database_url.startswith(plain):
            # SQLAlchemy 2.1 would pick psycopg 3 for a bare scheme; the station ships psycopg2.
            database_url = "postgresql+psycopg2://" + database_url[len(plain) :]
    if not database_url.startswith(("sqlite", "postgresql")):
        raise SettingsError("SPARTAN_DATABASE_URL must be a sqlite:// or postgresql:// URL")
    schema = env.get("SPARTAN_DB_SCHEMA") or "spartan_research"
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", schema):
        raise SettingsError(f"SPARTAN_DB_SCHEMA must be a plain lower-case identifier, got {schema!r}")
    redis_url = env.get("SPARTAN_REDIS_URL") or None
    if redis_url:
        try:
            parse_redis_url(redis_url)
        except RedisUrlError as exc:
            raise SettingsError(str(exc)) from None
    refresh_minute = _int(env, "SPARTAN_REFRESH_MINUTE", 0)
    if refresh_minute > 59:
        raise SettingsError("SPARTAN_REFRESH_MINUTE must be between 0 and 59")
    origins = tuple(o.strip() for o in (env.get("SPARTAN_EMBED_ORIGINS") or "").split(",") if o.strip())
    return Settings(
        var_dir=var_dir,
        database_url=database_url,
        redis_url=redis_url,
        db_schema=schema,
        cache_dir=Path(env.get("SPARTAN_CACHE_DIR") or var_dir / "cache"),
        cache_prefix=env.get("SPARTAN_CACHE_PREFIX") or "spartan:",
        host=env.get("SPARTAN_HOST") or "127.0.0.1",
        port=_int(env, "SPARTAN_PORT", 8888, minimum=1, maximum=65535),
        log_level=(env.get("SPARTAN_LOG_LEVEL") or "INFO").upper(),
        fred_base_url=(env.get("SPARTAN_FRED_BASE_URL") or "https://fred.stlouisfed.org").rstrip("/"),
        http_timeout=_float(env, "SPARTAN_HTTP_TIMEOUT", 20.0),
        http_retries=_int(env, "SPARTAN_HTTP_RETRIES", 3),
        http_max_retry_after=_float(env, "SPARTAN_HTTP_MAX_RETRY_AFTER", 30.0),
        refresh_minute=refresh_minute,
        max_daily_jump=_float(env, "SPARTAN_MAX_DAILY_JUMP", 0.5),
        workers=_int(env, "SPARTAN_WORKERS", 10, minimum=1),
        # Scales every catalogued per-minute limit: >1 for a paid tier or a local test server.
        rate_limit_multiplier=_float(env, "SPARTAN_RATE_LIMIT_MULTIPLIER", 1.0),
        preload_max_age_minutes=_int(env, "SPARTAN_PRELOAD_MAX_AGE_MINUTES", 60, minimum=1),
        freshness_target_minutes=_int(env, "SPARTAN_FRESHNESS_TARGET_MINUTES", 120, minimum=1),
        embed_origins=origins,
        base_url_overrides=_base_url_overrides(env),
        sources_file=Path(env.get("SPARTAN_SOURCES_FILE") or PROJECT_ROOT / "config" / "sources.yaml"),
        rate_limit_enabled=_bool(env, "SPARTAN_RATE_LIMIT_ENABLED", True),
        rate_limit_api=_rate_limits(env, "SPARTAN_RATE_LIMIT_API", "120/minute,2000/hour"),
        rate_limit_web=_rate_limits(env, "SPARTAN_RATE_LIMIT_WEB", "600/minute,10000/hour"),
        rate_limit_probe=_rate_limits(env, "SPARTAN_RATE_LIMIT_PROBE", "600/minute"),
        trusted_proxies=_int(env, "SPARTAN_TRUSTED_PROXIES", 0, maximum=10),
        audit_log=Path(env["SPARTAN_AUDIT_LOG"]) if env.get("SPARTAN_AUDIT_LOG") else None,
        log_format=_choice(env, "SPARTAN_LOG_FORMAT", "auto", ("auto", "json", "text")),
        page_warm_seconds=_int(env, "SPARTAN_PAGE_WARM_SECONDS", 5, minimum=0),
        version_check_seconds=_float(env, "SPARTAN_VERSION_CHECK_SECONDS", 1.0),
        db_retry_seconds=_float(env, "SPARTAN_DB_RETRY_SECONDS", 2.0),
        local_cache_mb=_int(env, "SPARTAN_LOCAL_CACHE_MB", 128, minimum=0),
        cache_data_ttl=_int(env, "SPARTAN_CACHE_DATA_TTL", 6 * 3600, minimum=60),
        backup_dir=Path(env.get("SPARTAN_BACKUP_DIR") or var_dir / "backups"),
        backup_keep=_int(env, "SPARTAN_BACKUP_KEEP", 7, minimum=1),
        backup_hour=_backup_hour(env),
        **_auth(env),
    )
