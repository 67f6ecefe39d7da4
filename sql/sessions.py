"""Server-side login sessions: the cookie carries a random token, the database its SHA-256
with the session's expiry, so a session ends for good at logout (or a password change) even
while a copy of its cookie lives on."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, select, update

from sql.schema_users import user_sessions, users
from sql.users import User, user_from_row


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def open_session(engine: Engine, user_id: int, lifetime: timedelta, id_token: str | None = None) -> str:
    """A new session of ``user_id`` for ``lifetime``; returns the token for the cookie.
    ``id_token``: the ID token of an OpenID Connect sign-in, handed back by ``revoke_session``."""
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        # Sessions that ended long ago are of no use to anyone: cleared as new ones open.
        conn.execute(delete(user_sessions).where(user_sessions.c.expires_at < now - timedelta(days=7)))
        conn.execute(
            user_sessions.insert().values(
                id_hash=_digest(token), user_id=user_id, created_at=now, expires_at=now + lifetime, id_token=id_token
            )
        )
    return token


def session_user(engine: Engine, token: str) -> User | None:
    """The user of a live session (not expired, not revoked, user not disabled), else None."""
    if not token or len(token) > 128:
        return None
    now = datetime.now(UTC)
    query = (
        select(users, user_sessions.c.expires_at)
        .join(user_sessions, user_sessions.c.user_id == users.c.id)
        .where(user_sessions.c.id_hash == _digest(token), user_sessions.c.revoked_at.is_(None))
    )
    with engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None or row.disabled:
        return None
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=UTC)
    return user_from_row(row) if expires > now else None


def revoke_session(engine: Engine, token: str) -> str | None:
    """End one session (logout). Returns the ID token its OpenID Connect sign-in left (for the
    logout at the provider) when the session was still open, else None; the table forgets it."""
    live = (user_sessions.c.id_hash == _digest(token), user_sessions.c.revoked_at.is_(None))
    with engine.begin() as conn:
        id_token = conn.execute(select(user_sessions.c.id_token).where(*live)).scalar()
        conn.execute(update(user_sessions).where(*live).values(revoked_at=datetime.now(UTC), id_token=None))
    return id_token
