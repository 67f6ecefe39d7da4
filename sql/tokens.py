"""API tokens: ``Authorization: Bearer spartan_…`` reads the data API as the token's user.
The database keeps the token's SHA-256 only (a token is 256 random bits: a fast hash is
enough, unlike passwords); the token itself is shown once, when made."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select, update

from sql.schema_users import api_tokens, users
from sql.users import User, UserError, as_utc, user_from_row

TOKEN_PREFIX = "spartan_"  # noqa: S105 - the marker every token starts with, not a secret
PREFIX_SHOWN = 12  # characters kept to recognise a token in a list: "spartan_" and 4 more
# A token's last use is written at most this often: not one write per API request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class ApiToken:
    id: int
    username: str
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(engine: Engine, username: str, name: str) -> tuple[ApiToken, str]:
    """A new token for ``username``: (its record, the token, to be shown once)."""
    name = name.strip()
    if not name or len(name) > 64:
        raise UserError("a token's name is 1 to 64 characters (what it is for)")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with engine.begin() as conn:
        user_id = conn.execute(select(users.c.id).where(users.c.username == username.strip().lower())).scalar()
        if user_id is None:
            raise UserError(f"no user {username!r}")
        token_id = conn.execute(
            api_tokens.insert().values(
                user_id=user_id,
                name=name,
                token_hash=_digest(token),
                prefix=token[:PREFIX_SHOWN],
                created_at=datetime.now(UTC),
            )
        ).inserted_primary_key[0]
    return next(t for t in list_tokens(engine, username) if t.id == token_id), token


def list_tokens(engine: Engine, username: str | None = None) -> list[ApiToken]:
    """Every token (of ``username``), revoked ones included, oldest first."""
    query = select(api_tokens, users.c.username).join(users, users.c.id == api_tokens.c.user_id)
    if username:
        query = query.where(users.c.username == username.strip().lower())
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(api_tokens.c.id)).all()
    return [
        ApiToken(
            id=row.id,
            username=row.username,
            name=row.name,
            prefix=row.prefix,
            created_at=as_utc(row.created_at),
            last_used_at=as_utc(row.last_used_at),
            revoked_at=as_utc(row.revoked_at),
        )
        for row in rows
    ]


def revoke_token(engine: Engine, token_id: int, user_id: int | None = None) -> None:
    """Revoke a live token (only one of ``user_id``'s, when given: a user's own account page)."""
    where = [api_tokens.c.id == token_id, api_tokens.c.revoked_at.is_(None)]
    if user_id is not None:
        where.append(api_tokens.c.user_id == user_id)
    with engine.begin() as conn:
        done = conn.execute(update(api_tokens).where(*where).values(revoked_at=datetime.now(UTC)))
    if done.rowcount == 0:
        raise UserError(f"no live token {token_id}")


def token_user(engine: Engine, token: str) -> tuple[User, int] | None:
    """(user, token id) of a live token of an enabled user, else None; notes its last use."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 128:
        return None
    query = (
        select(users, api_tokens.c.id.label("token_id"), api_tokens.c.last_used_at)
        .join(api_tokens, api_tokens.c.user_id == users.c.id)
        .where(api_tokens.c.token_hash == _digest(token), api_tokens.c.revoked_at.is_(None))
    )
    with engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None or row.disabled:
        return None
    now = datetime.now(UTC)
    last = as_utc(row.last_used_at)
    if last is None or now - last >= LAST_USED_RESOLUTION:
        with engine.begin() as conn:
            conn.execute(update(api_tokens).where(api_tokens.c.id == row.token_id).values(last_used_at=now))
    return user_from_row(row), row.token_id
