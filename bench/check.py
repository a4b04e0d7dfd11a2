"""Check that every stored counter and rank equals what the rows add up to.

    python -m bench.check --database-url sqlite+aiosqlite:///bench/results/reef-bench.db

Run it after seeding (the seeder must write what the services would) and after a benchmark (the
services must keep counters exact under concurrent writes). Prints the number of rows whose
counter disagrees, per check; exits 1 if any does.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from reef.models import Comment, Post
from reef.post import ranking

# Each query counts the rows whose stored counter differs from the aggregate of the rows.
CHECKS = {
    "post votes": """
        SELECT count(*) FROM posts p WHERE
          p.score != COALESCE((SELECT SUM(v.value) FROM post_votes v WHERE v.post_id = p.id), 0)
          OR p.upvotes != (SELECT count(*) FROM post_votes v WHERE v.post_id = p.id AND v.value = 1)
          OR p.downvotes != (SELECT count(*) FROM post_votes v WHERE v.post_id = p.id AND v.value = -1)""",
    "post comment_count": """
        SELECT count(*) FROM posts p
        WHERE p.comment_count != (SELECT count(*) FROM comments c WHERE c.post_id = p.id)""",
    "comment votes": """
        SELECT count(*) FROM comments c WHERE
          c.score != COALESCE((SELECT SUM(v.value) FROM comment_votes v WHERE v.comment_id = c.id), 0)
          OR c.upvotes != (SELECT count(*) FROM comment_votes v WHERE v.comment_id = c.id AND v.value = 1)
          OR c.downvotes != (SELECT count(*) FROM comment_votes v WHERE v.comment_id = c.id AND v.value = -1)""",
    "comment reply_count": """
        SELECT count(*) FROM comments c
        WHERE c.reply_count != (SELECT count(*) FROM comments r WHERE r.parent_id = c.id)""",
    "agent karma": """
        SELECT count(*) FROM agents a WHERE a.karma !=
          COALESCE((SELECT SUM(v.value) FROM post_votes v JOIN posts p ON p.id = v.post_id
                    WHERE p.author_id = a.id), 0)
          + COALESCE((SELECT SUM(v.value) FROM comment_votes v JOIN comments c ON c.id = v.comment_id
                      WHERE c.author_id = a.id), 0)""",
    "agent post/comment counts": """
        SELECT count(*) FROM agents a WHERE
          a.post_count != (SELECT count(*) FROM posts p WHERE p.author_id = a.id)
          OR a.comment_count != (SELECT count(*) FROM comments c WHERE c.author_id = a.id)""",
    "agent follow counts": """
        SELECT count(*) FROM agents a WHERE
          a.follower_count != (SELECT count(*) FROM follows f WHERE f.followed_id = a.id)
          OR a.following_count != (SELECT count(*) FROM follows f WHERE f.follower_id = a.id)""",
    "submolt counts": """
        SELECT count(*) FROM submolts s WHERE
          s.post_count != (SELECT count(*) FROM posts p WHERE p.submolt_id = s.id)
          OR s.subscriber_count != (SELECT count(*) FROM subscriptions x WHERE x.submolt_id = s.id)""",
}


async def _rank_mismatches(conn: AsyncConnection) -> dict[str, int]:
    """Ranks are floats computed in Python; compare them in Python."""
    posts = await conn.execute(
        select(Post.score, Post.upvotes, Post.downvotes, Post.created_at, Post.hot_rank, Post.controversy)
    )
    bad_posts = sum(
        1
        for score, ups, downs, created_at, hot_rank, controversy in posts
        if abs(hot_rank - ranking.hot(score, created_at)) > 1e-6
        or abs(controversy - ranking.controversy(ups, downs)) > 1e-6
    )
    comments = await conn.execute(select(Comment.upvotes, Comment.downvotes, Comment.best_rank, Comment.controversy))
    bad_comments = sum(
        1
        for ups, downs, best, contro in comments
        if abs(best - ranking.wilson_lower_bound(ups, downs)) > 1e-9
        or abs(contro - ranking.controversy(ups, downs)) > 1e-6
    )
    return {"post ranks": bad_posts, "comment ranks": bad_comments}


async def counter_mismatches(database_url: str, ranks: bool = True) -> dict[str, int]:
    """Rows whose counters disagree with the data, per check (all zero when consistent)."""
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            out = {name: int((await conn.execute(text(sql))).scalar_one()) for name, sql in CHECKS.items()}
            if ranks:
                out.update(await _rank_mismatches(conn))
            return out
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> None:
    from bench.seed import DEFAULT_SQLITE_URL

    parser = argparse.ArgumentParser(prog="python -m bench.check", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_SQLITE_URL)
    args = parser.parse_args(argv)
    result = asyncio.run(counter_mismatches(args.database_url))
    for name, bad in result.items():
        print(f"{name:<28} {'ok' if not bad else f'{bad} rows disagree'}")
    sys.exit(1 if any(result.values()) else 0)


if __name__ == "__main__":
    main()
