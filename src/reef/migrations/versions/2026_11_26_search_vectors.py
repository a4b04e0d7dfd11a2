"""search vectors: stored tsvector columns on PostgreSQL, with the GIN indexes on them

Revision 0002 indexed ``to_tsvector(...)`` expressions, which serves ``@@`` but not ranking:
``ts_rank_cd`` needs the vector itself, so every query recomputed ``to_tsvector`` for every
matching row (5 s for a word common to 14,000 posts). The vectors are now stored, as generated
columns (``GENERATED ALWAYS AS (...) STORED``): PostgreSQL computes them on every insert and on
every update of the text (not on vote updates), so they cannot fall out of step, and nothing
outside this migration writes them. The indexes keep their names (``search_posts_fts``,
``search_comments_fts``) and now index the columns.

PostgreSQL only: the models do not declare the columns (``search_`` prefix: Alembic's drift
check ignores them, see ``env.include_object``), and SQLite's FTS5 index (revision 0002) already
stores what it ranks. Adding a stored generated column rewrites the table under an exclusive
lock: on a large database, run this migration in a maintenance window (see docs/search.md).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The same documents as revision 0002's expression indexes: a post's title (weight A) and body
# (B), a comment's body (D). reef.search.fulltext_postgres queries these columns.
POST_VECTOR = (
    "setweight(to_tsvector('english', coalesce(title, '')), 'A')"
    " || setweight(to_tsvector('english', coalesce(content, '')), 'B')"
)
COMMENT_VECTOR = "to_tsvector('english', content)"

UP = [
    f"ALTER TABLE posts ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({POST_VECTOR}) STORED",
    f"ALTER TABLE comments ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({COMMENT_VECTOR}) STORED",
    "DROP INDEX IF EXISTS search_posts_fts",
    "DROP INDEX IF EXISTS search_comments_fts",
    "CREATE INDEX search_posts_fts ON posts USING gin (search_vector)",
    "CREATE INDEX search_comments_fts ON comments USING gin (search_vector)",
    # Lexeme statistics for the new columns, so the planner can tell a rare word from a common one
    # (ANALYZE reads a fixed-size sample, so this stays quick on a large table).
    "ANALYZE posts",
    "ANALYZE comments",
]

# Back to revision 0002's expression indexes (dropping a column drops its index).
DOWN = [
    "ALTER TABLE comments DROP COLUMN search_vector",
    "ALTER TABLE posts DROP COLUMN search_vector",
    f"CREATE INDEX search_posts_fts ON posts USING gin (({POST_VECTOR}))",
    f"CREATE INDEX search_comments_fts ON comments USING gin (({COMMENT_VECTOR}))",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in UP:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in DOWN:
            op.execute(statement)
