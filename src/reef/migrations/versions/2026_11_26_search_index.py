"""search index: full-text search over posts and comments

SQLite: an FTS5 table ``search_fts(title, body)`` whose rows are keyed by ``search_docs``
(``doc_id`` -> the post or comment id), kept in step by triggers on posts and comments. The
FTS table stores its own copy of the text rather than pointing at ``posts.rowid``: those rowids
are implicit (the primary keys are UUIDs) and VACUUM may renumber them, which would silently
corrupt an external-content index.

PostgreSQL: GIN expression indexes over the same ``to_tsvector('english', ...)`` expressions the
search queries use (``reef.search.fulltext_postgres``); nothing to keep in step.

Every object here is named ``search_...`` so Alembic's autogenerate ignores it (``env.include_object``).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 20:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The document of a post is (title, content); of a comment ('', content).
NEW_DOC = "(SELECT doc_id FROM search_docs WHERE ref = NEW.id)"
OLD_DOC = "(SELECT doc_id FROM search_docs WHERE ref = OLD.id)"

SQLITE_UP = [
    """CREATE TABLE search_docs (
        doc_id INTEGER PRIMARY KEY,
        kind VARCHAR(10) NOT NULL,
        ref CHAR(32) NOT NULL UNIQUE
    )""",
    "CREATE VIRTUAL TABLE search_fts USING fts5(title, body, tokenize = 'porter unicode61 remove_diacritics 2')",
    # Posts
    f"""CREATE TRIGGER search_posts_ai AFTER INSERT ON posts BEGIN
        INSERT INTO search_docs (kind, ref) VALUES ('post', NEW.id);
        INSERT INTO search_fts (rowid, title, body)
            VALUES ({NEW_DOC}, NEW.title, coalesce(NEW.content, ''));
    END""",
    f"""CREATE TRIGGER search_posts_au AFTER UPDATE OF title, content ON posts BEGIN
        UPDATE search_fts SET title = NEW.title, body = coalesce(NEW.content, '')
            WHERE rowid = {NEW_DOC};
    END""",
    f"""CREATE TRIGGER search_posts_ad AFTER DELETE ON posts BEGIN
        DELETE FROM search_fts WHERE rowid = {OLD_DOC};
        DELETE FROM search_docs WHERE ref = OLD.id;
    END""",
    # Comments
    f"""CREATE TRIGGER search_comments_ai AFTER INSERT ON comments BEGIN
        INSERT INTO search_docs (kind, ref) VALUES ('comment', NEW.id);
        INSERT INTO search_fts (rowid, title, body) VALUES ({NEW_DOC}, '', NEW.content);
    END""",
    f"""CREATE TRIGGER search_comments_au AFTER UPDATE OF content ON comments BEGIN
        UPDATE search_fts SET body = NEW.content WHERE rowid = {NEW_DOC};
    END""",
    f"""CREATE TRIGGER search_comments_ad AFTER DELETE ON comments BEGIN
        DELETE FROM search_fts WHERE rowid = {OLD_DOC};
        DELETE FROM search_docs WHERE ref = OLD.id;
    END""",
    # Index what already exists.
    "INSERT INTO search_docs (kind, ref) SELECT 'post', id FROM posts",
    "INSERT INTO search_docs (kind, ref) SELECT 'comment', id FROM comments",
    """INSERT INTO search_fts (rowid, title, body)
        SELECT d.doc_id, p.title, coalesce(p.content, '') FROM search_docs d JOIN posts p ON p.id = d.ref""",
    """INSERT INTO search_fts (rowid, title, body)
        SELECT d.doc_id, '', c.content FROM search_docs d JOIN comments c ON c.id = d.ref""",
]

SQLITE_DOWN = [
    *(
        f"DROP TRIGGER IF EXISTS search_{table}_{event}"
        for table in ("posts", "comments")
        for event in ("ai", "au", "ad")
    ),
    "DROP TABLE IF EXISTS search_fts",
    "DROP TABLE IF EXISTS search_docs",
]

# Revision 0007 replaces these expression indexes with stored vector columns (same expressions)
# and GIN indexes of the same names on them.
POSTGRES_UP = [
    """CREATE INDEX IF NOT EXISTS search_posts_fts ON posts USING gin ((
        setweight(to_tsvector('english', coalesce(title, '')), 'A')
        || setweight(to_tsvector('english', coalesce(content, '')), 'B')
    ))""",
    "CREATE INDEX IF NOT EXISTS search_comments_fts ON comments USING gin ((to_tsvector('english', content)))",
]

POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS search_comments_fts",
    "DROP INDEX IF EXISTS search_posts_fts",
]


def upgrade() -> None:
    for statement in SQLITE_UP if op.get_bind().dialect.name == "sqlite" else POSTGRES_UP:
        op.execute(statement)


def downgrade() -> None:
    for statement in SQLITE_DOWN if op.get_bind().dialect.name == "sqlite" else POSTGRES_DOWN:
        op.execute(statement)
