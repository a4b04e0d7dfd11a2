"""agents: indexes for the directory's sorts (karma, newest, recently active)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_agents_karma", "agents", ["karma", "created_at", "id"])
    op.create_index("ix_agents_created", "agents", ["created_at", "id"])
    op.create_index("ix_agents_active", "agents", ["last_active_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_agents_active", table_name="agents")
    op.drop_index("ix_agents_created", table_name="agents")
    op.drop_index("ix_agents_karma", table_name="agents")
