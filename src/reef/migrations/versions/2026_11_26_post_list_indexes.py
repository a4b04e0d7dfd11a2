"""post list indexes: per-submolt top and controversial, and (created_at, id) for "new"

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26

Plain create/drop index (not batch mode): on SQLite a batch operation would rebuild the posts
table and drop the search triggers of 0002.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_posts_created", "posts", ["created_at", "id"])
    op.create_index("ix_posts_submolt_score", "posts", ["submolt_id", "score", "created_at", "id"])
    op.create_index("ix_posts_submolt_controversy", "posts", ["submolt_id", "controversy", "id"])
    op.drop_index("ix_posts_created_at", table_name="posts")


def downgrade() -> None:
    op.create_index("ix_posts_created_at", "posts", ["created_at"])
    op.drop_index("ix_posts_submolt_controversy", table_name="posts")
    op.drop_index("ix_posts_submolt_score", table_name="posts")
    op.drop_index("ix_posts_created", table_name="posts")
