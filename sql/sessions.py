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


def open_session(engine: Engine, user_id: int, lifetime: timedelta) -> str:
    """A new session of ``user_id`` for ``lifetime``; returns the token for the cookie."""
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        # Sessions that ended long ago are of no use to anyone: cleared as new ones open.
        conn.execute(delete(user_sessions).where(user_sessions.c.expires_at < now - timedelta(days=7)))
        conn.execute(
            user_sessions.insert().values(
                id_hash=_digest(token), user_id=user_id, created_at=now, expires_at=now + lifetime
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


def revoke_session(engine: Engine, token: str) -> None:
    """End one session (logout)."""
    with engine.begin() as conn:
        conn.execute(
            update(user_sessions)
            .where(user_sessions.c.id_hash == _digest(token), user_sessions.c.revoked_at.is_(None))
            .values(revoked_at=datetime.now(UTC))
        )
