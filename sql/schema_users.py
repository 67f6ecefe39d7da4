"""Users and access (SPARTAN_AUTH=local): the station's users with their argon2id password
hashes and roles, and their server-side sessions, revocable one by one. Defined on the shared
metadata (sql/metadata.py); sql/schema.py re-exports them with every other table."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Index, Integer, String, Table, Text

from sql.metadata import metadata

ROLES = ("viewer", "admin")

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True, comment="lower-case, as typed at login"),
    Column("password_hash", String(255), nullable=False, comment="argon2id, in its PHC string form"),
    Column("role", String(16), nullable=False, comment="viewer | admin"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("failed_attempts", Integer, nullable=False, default=0, comment="wrong passwords since the last login"),
    Column("locked_until", DateTime(timezone=True), comment="no login before this time (too many failures)"),
    Column("last_login_at", DateTime(timezone=True)),
)

# A session's cookie holds a random token; the table keeps its SHA-256 only, so a copy of the
# table opens no session. Logout, a password change or a removed user revoke sessions here. A
# session opened by an OpenID Connect sign-in keeps its ID token, sent to the provider at logout.
user_sessions = Table(
    "user_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True, comment="SHA-256 (hex) of the cookie's token"),
    Column(
        "user_id", Integer, ForeignKey("users.id", ondelete="CASCADE", name="fk_user_sessions_user_id"), nullable=False
    ),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
    Column(
        "id_token", Text, comment="ID token of an OpenID Connect sign-in (id_token_hint at logout); cleared at logout"
    ),
    Index("ix_user_sessions_user_id", "user_id"),
)

# API tokens (``Authorization: Bearer``): read access to the data API as their user, stored as
# the SHA-256 of the token only; shown once when made, revocable, with the time last used.
api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "user_id", Integer, ForeignKey("users.id", ondelete="CASCADE", name="fk_api_tokens_user_id"), nullable=False
    ),
    Column("name", String(64), nullable=False, comment="what the token is for, e.g. the report that uses it"),
    Column("token_hash", String(64), nullable=False, unique=True, comment="SHA-256 (hex) of the token"),
    Column("prefix", String(16), nullable=False, comment="the token's first characters, to recognise it"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_used_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
    Index("ix_api_tokens_user_id", "user_id"),
)

# Signed embed links: each link's token (middleware/embed_links.py) names a row here, which says
# what it opens (one panel's or one dashboard's embed) until when, and whether it was revoked.
# The token itself is not stored: it is signed with SPARTAN_SECRET_KEY and carries its id.
embed_links = Table(
    "embed_links",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "user_id", Integer, ForeignKey("users.id", ondelete="CASCADE", name="fk_embed_links_user_id"), nullable=False
    ),
    Column("target", String(300), nullable=False, comment="the embed it opens: /embed/<dashboard>/<panel> or a page"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
    Index("ix_embed_links_user_id", "user_id"),
)
