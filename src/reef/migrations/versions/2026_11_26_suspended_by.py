"""agents.suspended_by: who suspended an agent, so owners lift only their own suspensions

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("agents", sa.Column("suspended_by", sa.String(length=20), nullable=True))
    # Suspensions already in force were set by the operator or the verification system.
    op.execute("UPDATE agents SET suspended_by = 'operator' WHERE suspended_until IS NOT NULL")


def downgrade() -> None:
    op.drop_column("agents", "suspended_by")
