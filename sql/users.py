"""The station's local users (SPARTAN_AUTH=local): create, remove, list, change password or
role, and check a login with its lockout. Passwords are hashed with argon2id (argon2-cffi's
defaults, RFC 9106's second recommended parameter set); a hash made with weaker parameters is
rehashed at the next good login."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.exc import IntegrityError

from sql.schema_boards import board_panels, boards
from sql.schema_users import ROLES, api_tokens, embed_links, user_sessions, users
from sql.schema_watchlists import watchlist_items, watchlists

USERNAME = re.compile(r"[a-z0-9][a-z0-9._@-]{0,63}")
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024  # argon2 hashes anything, but not megabytes per login attempt
_hasher = PasswordHasher()
# Verified against when the username is unknown, so a login takes as long either way.
_DUMMY_HASH = _hasher.hash("not a password of anyone")
# The password_hash of a user who signs in with OpenID Connect (SPARTAN_AUTH=oidc): this prefix and
# the SHA-256 of their issuer and subject. It is no PHC string, and _verify refuses it before
# argon2 sees it, so no password ever matches it; it ties the account to that provider's subject.
OIDC_MARKER = "!oidc:"


class UserError(ValueError):
    """A user command that cannot be done: its message says why."""


@dataclass(frozen=True)
class User:
    id: int
    username: str
    role: str
    disabled: bool
    created_at: datetime
    last_login_at: datetime | None
    locked_until: datetime | None


def _now() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; every time the station stores is UTC.
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def user_from_row(row) -> User:
    return User(
        id=row.id,
        username=row.username,
        role=row.role,
        disabled=bool(row.disabled),
        created_at=as_utc(row.created_at),
        last_login_at=as_utc(row.last_login_at),
        locked_until=as_utc(row.locked_until),
    )


def normalize_username(username: str) -> str:
    """The stored form of a username (lower-case); a clear error for one the station refuses."""
    name = (username or "").strip().lower()
    if not USERNAME.fullmatch(name):
        raise UserError(
            "a username is 1 to 64 characters: letters, digits and . _ @ - (starting with a letter or digit)"
        )
    return name


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise UserError(f"a password has at most {MAX_PASSWORD_LENGTH} characters")


def check_role(role: str) -> str:
    if role not in ROLES:
        raise UserError(f"a role is one of {', '.join(ROLES)}, got {role!r}")
    return role


def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` (PHC string: algorithm, parameters, salt, hash)."""
    check_password(password)
    return _hasher.hash(password)


def get_user(engine: Engine, username: str) -> User | None:
    if "\x00" in username:  # no stored name has one, and PostgreSQL refuses it in a query
        return None
    with engine.connect() as conn:
        row = conn.execute(select(users).where(users.c.username == username.strip().lower())).first()
    return user_from_row(row) if row else None


def get_user_by_id(engine: Engine, user_id: int) -> User | None:
    with engine.connect() as conn:
        row = conn.execute(select(users).where(users.c.id == user_id)).first()
    return user_from_row(row) if row else None


def list_users(engine: Engine) -> list[User]:
    with engine.connect() as conn:
        return [user_from_row(row) for row in conn.execute(select(users).order_by(users.c.username))]


def count_users(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(users)).scalar_one()


def add_user(engine: Engine, username: str, password: str, role: str = "viewer") -> User:
    """Create a user; a UserError when the name is taken or the password too short."""
    name = normalize_username(username)
    check_role(role)
    password_hash = hash_password(password)
    with engine.begin() as conn:
        if conn.execute(select(users.c.id).where(users.c.username == name)).first():
            raise UserError(f"user {name!r} exists already")
        conn.execute(
            users.insert().values(
                username=name,
                password_hash=password_hash,
                role=role,
                created_at=_now(),
                disabled=False,
                failed_attempts=0,
            )
        )
    return get_user(engine, name)


def _existing(conn, username: str) -> int:
    user_id = conn.execute(select(users.c.id).where(users.c.username == username.strip().lower())).scalar()
    if user_id is None:
        raise UserError(f"no user {username!r}")
    return user_id


def _revoke_all(conn, user_id: int) -> None:
    conn.execute(
        update(user_sessions)
        .where(user_sessions.c.user_id == user_id, user_sessions.c.revoked_at.is_(None))
        .values(revoked_at=_now(), id_token=None)
    )


def _admins_left(conn, excluding: int) -> int:
    query = select(func.count()).where(users.c.role == "admin", users.c.disabled.is_(False), users.c.id != excluding)
    return conn.execute(query).scalar_one()


def remove_user(engine: Engine, username: str) -> None:
    """Delete a user with their sessions, API tokens, embed links, watchlists and boards; the last admin stays."""
    with engine.begin() as conn:
        user_id = _existing(conn, username)
        role = conn.execute(select(users.c.role).where(users.c.id == user_id)).scalar_one()
        if role == "admin" and _admins_left(conn, user_id) == 0:
            raise UserError("that is the last admin: make another user admin first")
        conn.execute(delete(user_sessions).where(user_sessions.c.user_id == user_id))
        conn.execute(delete(api_tokens).where(api_tokens.c.user_id == user_id))
        conn.execute(delete(embed_links).where(embed_links.c.user_id == user_id))
        # Their watchlists too, here and not by the foreign keys' cascade alone: SQLite enforces
        # it only with its pragma on, and may hand the freed id to the next user made.
        owned = select(watchlists.c.id).where(watchlists.c.owner_id == user_id)
        conn.execute(delete(watchlist_items).where(watchlist_items.c.watchlist_id.in_(owned)))
        conn.execute(delete(watchlists).where(watchlists.c.owner_id == user_id))
        boards_owned = select(boards.c.id).where(boards.c.owner_id == user_id)
        conn.execute(delete(board_panels).where(board_panels.c.board_id.in_(boards_owned)))
        conn.execute(delete(boards).where(boards.c.owner_id == user_id))
        conn.execute(delete(users).where(users.c.id == user_id))


def set_password(engine: Engine, username: str, password: str) -> None:
    """A new password; it unlocks the account and ends every session of the user."""
    password_hash = hash_password(password)
    with engine.begin() as conn:
        user_id = _existing(conn, username)
        conn.execute(
            update(users)
            .where(users.c.id == user_id)
            .values(password_hash=password_hash, failed_attempts=0, locked_until=None)
        )
        _revoke_all(conn, user_id)


def set_role(engine: Engine, username: str, role: str) -> None:
    """A new role; the last admin keeps theirs. Sessions carry on (the role is read per request)."""
    check_role(role)
    with engine.begin() as conn:
        user_id = _existing(conn, username)
        if role != "admin" and _admins_left(conn, user_id) == 0:
            raise UserError("that is the last admin: make another user admin first")
        conn.execute(update(users).where(users.c.id == user_id).values(role=role))


def set_disabled(engine: Engine, username: str, disabled: bool) -> None:
    """Disable a user (their sessions end, their tokens stop working) or enable them again."""
    with engine.begin() as conn:
        user_id = _existing(conn, username)
        if disabled and _admins_left(conn, user_id) == 0:
            role = conn.execute(select(users.c.role).where(users.c.id == user_id)).scalar_one()
            if role == "admin":
                raise UserError("that is the last admin: make another user admin first")
        conn.execute(update(users).where(users.c.id == user_id).values(disabled=disabled))
        if disabled:
            _revoke_all(conn, user_id)


class LoginResult(NamedTuple):
    """``user`` on success; else why not (``wrong``, ``locked``, ``disabled``): the login page
    says the same for every reason, the audit log records which."""

    user: User | None
    reason: str | None = None


def authenticate(engine: Engine, username: str, password: str, max_failures: int, lockout: timedelta) -> LoginResult:
    """Check a login. ``max_failures`` wrong passwords in a row lock the account for ``lockout``."""
    name = (username or "").strip().lower()
    now = _now()
    with engine.connect() as conn:
        row = conn.execute(select(users).where(users.c.username == name)).first() if USERNAME.fullmatch(name) else None
    if row is None or len(password) > MAX_PASSWORD_LENGTH:
        _verify(_DUMMY_HASH, password[:MAX_PASSWORD_LENGTH])  # same work as a real check
        return LoginResult(None, "wrong")
    locked_until = as_utc(row.locked_until)
    if locked_until is not None and locked_until > now:
        _verify(_DUMMY_HASH, password)
        return LoginResult(None, "locked")
    if not _verify(row.password_hash, password):
        return LoginResult(None, _count_failure(engine, row.id, max_failures, now + lockout))
    if row.disabled:
        return LoginResult(None, "disabled")
    values = {"failed_attempts": 0, "locked_until": None, "last_login_at": now}
    if _hasher.check_needs_rehash(row.password_hash):
        values["password_hash"] = _hasher.hash(password)
    with engine.begin() as conn:
        conn.execute(update(users).where(users.c.id == row.id).values(**values))
    return LoginResult(get_user_by_id(engine, row.id))


def _count_failure(engine: Engine, user_id: int, max_failures: int, locked_until: datetime) -> str:
    """One more wrong password, counted in the database (parallel attempts each count); the
    ``max_failures``-th locks the account. Returns ``wrong`` or ``locked``."""
    with engine.begin() as conn:
        conn.execute(update(users).where(users.c.id == user_id).values(failed_attempts=users.c.failed_attempts + 1))
        failures = conn.execute(select(users.c.failed_attempts).where(users.c.id == user_id)).scalar_one()
        if failures < max_failures:
            return "wrong"
        conn.execute(update(users).where(users.c.id == user_id).values(failed_attempts=0, locked_until=locked_until))
    return "locked"


def _verify(password_hash: str, password: str) -> bool:
    if not password_hash.startswith("$argon2"):
        return False  # an OpenID Connect user's marker (OIDC_MARKER), or anything else no password opens
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def ensure_first_admin(engine: Engine, username: str | None, password: str | None) -> User | None:
    """The first admin from SPARTAN_ADMIN_USER/_PASSWORD, when no user exists yet (else None)."""
    if not username or not password or count_users(engine):
        return None
    try:
        return add_user(engine, username, password, role="admin")
    except IntegrityError:  # another worker of the same start made it just now
        return None
    except UserError as exc:
        if "exists already" in str(exc):
            return None
        raise


def oidc_marker(issuer: str, subject: str) -> str:
    """The unusable password hash of the user ``subject`` of the OpenID provider ``issuer``."""
    return OIDC_MARKER + hashlib.sha256(f"{issuer}\n{subject}".encode()).hexdigest()


def oidc_sign_in(engine: Engine, username: str, marker: str, role: str) -> LoginResult:
    """A user signed in by their OpenID provider: made at their first sign-in (``marker`` as their
    password hash), their role set from the station's settings at each. Refused (reason
    ``local_account``) when the name belongs to a local user or to another subject of a provider,
    and when the user is disabled. A UserError for a name the station cannot store."""
    name = normalize_username(username)
    check_role(role)
    now = _now()
    for _ in range(2):  # two first sign-ins of the same user at once: the second finds the first's row
        try:
            return _oidc_sign_in(engine, name, marker, role, now)
        except IntegrityError:
            continue
    raise UserError(f"user {name!r} could not be stored")


def _oidc_sign_in(engine: Engine, name: str, marker: str, role: str, now: datetime) -> LoginResult:
    with engine.begin() as conn:
        row = conn.execute(select(users).where(users.c.username == name)).first()
        if row is None:
            values = {"password_hash": marker, "role": role, "created_at": now, "last_login_at": now}
            conn.execute(users.insert().values(username=name, disabled=False, failed_attempts=0, **values))
            reason = "created"
        elif row.password_hash != marker:
            return LoginResult(None, "local_account")
        elif row.disabled:
            return LoginResult(None, "disabled")
        else:
            conn.execute(update(users).where(users.c.id == row.id).values(role=role, last_login_at=now))
            reason = "role_changed" if row.role != role else None
    return LoginResult(get_user(engine, name), reason)
