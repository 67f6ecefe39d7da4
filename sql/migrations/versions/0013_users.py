"""users: the station's users (argon2id password hashes, roles, lockout), sessions, API tokens

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 23:30:00

With ``SPARTAN_AUTH=local`` the web asks for a login (middleware/auth.py). ``users`` holds each
user's argon2id hash, role (viewer | admin), whether the account is disabled, and the count of
wrong passwords since its last login with the time the account stays locked until.
``user_sessions`` holds the SHA-256 of each session cookie's token with its expiry and the time
it was revoked (logout, password change); a user removed takes their sessions along.
``api_tokens`` holds the SHA-256 of each API token (``Authorization: Bearer``) with its name,
first characters, last use and revocation.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False, comment="lower-case, as typed at login"),
        sa.Column("password_hash", sa.String(length=255), nullable=False, comment="argon2id, in its PHC string form"),
        sa.Column("role", sa.String(length=16), nullable=False, comment="viewer | admin"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False, comment="wrong passwords since the last login"),
        sa.Column(
            "locked_until",
            sa.DateTime(timezone=True),
            nullable=True,
            comment="no login before this time (too many failures)",
        ),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "user_sessions",
        sa.Column("id_hash", sa.String(length=64), nullable=False, comment="SHA-256 (hex) of the cookie's token"),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_user_sessions_user_id", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_user_sessions")),
    )
    op.create_index("ix_user_sessions_user_id", "user_sessions", ["user_id"], unique=False)
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "name",
            sa.String(length=64),
            nullable=False,
            comment="what the token is for, e.g. the report that uses it",
        ),
        sa.Column("token_hash", sa.String(length=64), nullable=False, comment="SHA-256 (hex) of the token"),
        sa.Column(
            "prefix", sa.String(length=16), nullable=False, comment="the token's first characters, to recognise it"
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_api_tokens_user_id", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_index("ix_api_tokens_user_id", "api_tokens", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_api_tokens_user_id", table_name="api_tokens")
    op.drop_table("api_tokens")
    op.drop_index("ix_user_sessions_user_id", table_name="user_sessions")
    op.drop_table("user_sessions")
    op.drop_table("users")
