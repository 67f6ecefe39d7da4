"""user_sessions.id_token: the ID token of an OpenID Connect sign-in, for logout at the provider

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 04:30:00

With ``SPARTAN_AUTH=oidc`` the station's logout also ends the session at the OpenID provider
(RP-initiated logout) when the provider publishes an ``end_session_endpoint``; the provider is
sent the ID token of the sign-in as ``id_token_hint``. It is kept here, beside the session it
opened, rather than in the session cookie: ID tokens carrying groups (Azure AD, Keycloak) can
approach the 4 KB a browser keeps of a cookie. Empty for local logins; cleared when the session
ends.
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

COMMENT = "ID token of an OpenID Connect sign-in (id_token_hint at logout); cleared at logout"


def upgrade() -> None:
    with op.batch_alter_table("user_sessions") as batch:
        batch.add_column(sa.Column("id_token", sa.Text(), nullable=True, comment=COMMENT))


def downgrade() -> None:
    with op.batch_alter_table("user_sessions") as batch:
        batch.drop_column("id_token")
