"""Signed embed links (logins on): one row per link, naming the embed it opens, its
expiry and its revocation. The link's token is signed elsewhere (middleware/embed_links.py) and
carries the row's id, so revoking the row ends the link though copies of it live on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, select, update

from sql.schema_users import embed_links, users
from sql.users import UserError, as_utc

MAX_TARGET = 300


@dataclass(frozen=True)
class EmbedLink:
    id: int
    username: str
    target: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    user_disabled: bool = False

    def live(self, now: datetime | None = None) -> bool:
        """Not revoked, not expired, and its issuer still enabled."""
        now = now or datetime.now(UTC)
        return self.revoked_at is None and self.expires_at > now and not self.user_disabled


def create_link(engine: Engine, user_id: int, target: str, expires_at: datetime) -> EmbedLink:
    """A new link of ``user_id`` opening ``target`` until ``expires_at``."""
    if not target.startswith("/") or len(target) > MAX_TARGET:
        raise UserError(f"an embed link opens a path of the station (at most {MAX_TARGET} characters)")
    with engine.begin() as conn:
        link_id = conn.execute(
            embed_links.insert().values(
                user_id=user_id, target=target, created_at=datetime.now(UTC), expires_at=expires_at
            )
        ).inserted_primary_key[0]
    found = get_link(engine, link_id)
    assert found is not None  # just written in its own transaction
    return found


def _query():
    return select(embed_links, users.c.username, users.c.disabled.label("user_disabled")).join(
        users, users.c.id == embed_links.c.user_id
    )


def _link(row) -> EmbedLink:
    return EmbedLink(
        id=row.id,
        username=row.username,
        target=row.target,
        created_at=as_utc(row.created_at),
        expires_at=as_utc(row.expires_at),
        revoked_at=as_utc(row.revoked_at),
        user_disabled=bool(row.user_disabled),
    )


def get_link(engine: Engine, link_id: int) -> EmbedLink | None:
    """The link of id ``link_id`` (live or not), None when there is none."""
    with engine.connect() as conn:
        row = conn.execute(_query().where(embed_links.c.id == link_id)).first()
    return _link(row) if row is not None else None


def list_links(engine: Engine, username: str | None = None) -> list[EmbedLink]:
    """Every link (of ``username``), expired and revoked ones included, oldest first."""
    query = _query()
    if username:
        query = query.where(users.c.username == username.strip().lower())
    with engine.connect() as conn:
        return [_link(row) for row in conn.execute(query.order_by(embed_links.c.id)).all()]


def revoke_link(engine: Engine, link_id: int) -> None:
    """End a link for good; an unknown or already revoked one is an error."""
    with engine.begin() as conn:
        done = conn.execute(
            update(embed_links)
            .where(embed_links.c.id == link_id, embed_links.c.revoked_at.is_(None))
            .values(revoked_at=datetime.now(UTC))
        )
    if done.rowcount == 0:
        raise UserError(f"no live embed link {link_id}")
