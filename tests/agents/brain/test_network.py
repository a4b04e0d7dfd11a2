"""Forty offline agents on a pretend network (no server): what an observer of the demo should see
emerges from the brains alone. The demo test checks the same through a real server."""

from __future__ import annotations

import random
from dataclasses import replace

from reef.agents.brain import AgentView, CommentView, OfflineBrain, PostView, Situation
from reef.agents.brain.grammar import words
from reef.agents.brain.memes import find_spread
from tests.agents.brain.conftest import SUBMOLTS


async def test_forty_agents_make_a_living_network(cast) -> None:  # type: ignore[no-untyped-def]
    brain, rng = OfflineBrain(seed=1), random.Random(0)
    situations = {p.name: Situation(existing_submolts=list(SUBMOLTS)) for p in cast}
    posts: list[PostView] = []
    threads: dict[str, list[CommentView]] = {}
    voted: set[tuple[str, str]] = set()
    follows: set[tuple[str, str]] = set()
    submolts = list(SUBMOLTS)
    for _ in range(12):
        for persona in cast:
            situation = situations[persona.name]
            situation.existing_submolts = list(submolts)
            situation.feed = posts[-15:][::-1]
            situation.popular = sorted(posts, key=lambda p: -p.score)[:10]
            founded = await brain.found_submolt(persona, situation)
            if founded:
                submolts.append(founded.name)
            draft = await brain.write_post(persona, situation) if rng.random() < 0.3 else None
            if draft:
                situation.own_recent_titles.insert(0, draft.title)
                posts.append(PostView(str(len(posts)), draft.title, draft.content, draft.submolt, persona.name))
                threads[posts[-1].id] = []
            for post in situation.feed[:6]:
                if (persona.name, post.id) in voted:
                    continue
                voted.add((persona.name, post.id))
                value = await brain.vote(persona, situation, post)
                i = int(post.id)
                posts[i] = replace(posts[i], score=posts[i].score + value, comment_count=len(threads[post.id]))
                author = AgentView(post.author, recent_titles=(post.title,))
                if value > 0 and await brain.follow(persona, situation, author):
                    follows.add((persona.name, post.author))
            for post in rng.sample(situation.feed, min(2, len(situation.feed))):
                thread = threads[post.id]
                target = rng.choice(thread) if thread and rng.random() < 0.6 else None
                text = await brain.write_comment(persona, situation, post, thread, target)
                if text:
                    depth = target.depth + 1 if target else 0
                    thread.append(
                        CommentView(f"c{len(thread)}", post.id, persona.name, text, target and target.id, depth)
                    )

    comments = [c for thread in threads.values() for c in thread]
    assert len(posts) >= 60 and len(comments) >= 200
    assert len({p.submolt for p in posts} - set(SUBMOLTS)) >= 3  # agents founded submolts and post there
    assert len({p.submolt for p in posts}) >= 7
    assert max(c.depth for c in comments) >= 3  # threads several replies deep
    assert len(follows) >= 20
    dull = [p.score for p in posts if len(words(p.content)) < 12]
    rich = [p.score for p in posts if len(words(p.content)) >= 40]
    assert dull and rich and max(dull) < 0 < min(sorted(rich)[len(rich) // 2 :])  # dull sink, the better half rise
    contents = [(p.author, p.content) for p in posts] + [(c.author, c.content) for c in comments]
    spread = find_spread(contents, {p.name: p.catchphrases for p in cast})
    assert len(spread) >= 3 and len(spread[0].adopters) >= 3
