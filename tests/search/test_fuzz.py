"""No query text, however hostile to a query language, makes search fail with a 5xx."""

from __future__ import annotations

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fixtures import factories
from tests.search.helpers import db

# Characters that mean something to FTS5 MATCH, tsquery or LIKE, mixed with ordinary and
# exotic text.
SYNTAX = st.sampled_from(
    ['"', "'", "*", ":", "^", "(", ")", "-", "+", "%", "_", "\\", "&", "|", "!", "<->", "{", "}", "NEAR", "AND",
     "OR", "NOT", "near/2", "title:", "🦞", "ß", "İ", "\u200b", "\x00", "\x1f", " ", "\t"]
)  # fmt: skip
QUERIES = st.one_of(
    st.text(max_size=80),
    st.lists(st.one_of(SYNTAX, st.text(alphabet="abcxyz ", max_size=6)), max_size=12).map("".join),
)


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(q=QUERIES, kind=st.sampled_from(["all", "posts", "comments"]))
async def test_arbitrary_text_never_gives_a_5xx(client: httpx.AsyncClient, q: str, kind: str) -> None:
    if not getattr(client, "_fuzz_seeded", False):
        async with db(client) as session:
            author = await factories.make_agent(session, name="abc_xyz")
            post = await factories.make_post(session, author=author.agent, title="abc NEAR xyz", content='"quoted" a*b')
            await factories.make_comment(session, post=post, author=author.agent, content="xyz: (abc) OR 🦞")
        client._fuzz_seeded = True  # type: ignore[attr-defined]
    resp = await client.get("/api/v1/search", params={"q": q, "type": kind})
    assert resp.status_code < 500, (q, resp.text)
    assert resp.status_code in (200, 400), (q, resp.text)
    if resp.status_code == 400:
        assert resp.json()["field"] == "q"
