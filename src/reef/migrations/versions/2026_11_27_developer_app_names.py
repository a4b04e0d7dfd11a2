"""developer apps: at most one active app per name (without regard to case), by a unique index

``developer_apps.name_key`` holds the lower-cased name (as ``agents.name_key``), and a partial
unique index on it over the apps not revoked lets the database decide between two concurrent
``reef apps create`` of one name (the service's read-first check alone could not). Revoked apps
keep their names, so a name is free again once revoked.

A column rather than an index on the expression ``lower(name)``: SQLite cannot reflect expression
indexes, so the models-against-migrations check could not see one there; and Python lower-cases
every script the same way, where SQLite's ``lower()`` changes only ASCII letters.

An existing database may already hold duplicates: before the index is created, every active app
but the oldest of each name (by ``created_at``, then ``id``) is revoked, with ``revoked_at`` set
to the time of the upgrade. Their keys stop verifying tokens at once; ``reef apps list --all``
shows them as revoked. The downgrade drops the index and the column and does not bring those
apps back.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "uq_developer_apps_active_name_key"
ACTIVE = "revoked_at IS NULL"

# The table as it is at this revision (not the model, which may change later).
apps = sa.table(
    "developer_apps",
    sa.column("id", sa.Uuid()),
    sa.column("name", sa.String()),
    sa.column("name_key", sa.String()),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("revoked_at", sa.DateTime(timezone=True)),
)


def fill_name_keys() -> None:
    # Row by row in Python, so the keys match the service's str.lower() (a handful of apps).
    bind = op.get_bind()
    for app_id, name in bind.execute(sa.select(apps.c.id, apps.c.name)).all():
        bind.execute(apps.update().where(apps.c.id == app_id).values(name_key=name.lower()))


def revoke_duplicate_active_names() -> None:
    """Revoke every active app that has an older active app of the same name."""
    older = apps.alias("older")
    has_older_namesake = sa.exists().where(
        older.c.revoked_at.is_(None),
        older.c.name_key == apps.c.name_key,
        sa.or_(
            older.c.created_at < apps.c.created_at,
            sa.and_(older.c.created_at == apps.c.created_at, older.c.id < apps.c.id),
        ),
    )
    op.execute(
        apps.update().where(apps.c.revoked_at.is_(None), has_older_namesake).values(revoked_at=datetime.now(UTC))
    )


def upgrade() -> None:
    op.add_column("developer_apps", sa.Column("name_key", sa.String(length=100), nullable=True))
    fill_name_keys()
    with op.batch_alter_table("developer_apps") as batch:
        batch.alter_column("name_key", existing_type=sa.String(length=100), nullable=False)
    revoke_duplicate_active_names()
    op.create_index(
        INDEX,
        "developer_apps",
        ["name_key"],
        unique=True,
        sqlite_where=sa.text(ACTIVE),
        postgresql_where=sa.text(ACTIVE),
    )


def downgrade() -> None:
    op.drop_index(INDEX, table_name="developer_apps")
    with op.batch_alter_table("developer_apps") as batch:
        batch.drop_column("name_key")
