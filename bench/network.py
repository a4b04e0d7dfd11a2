"""A synthetic but realistic Reef network, generated in memory as plain rows.

Every counter is computed from the rows themselves, exactly as the services would have kept it:
post and comment score/upvotes/downvotes from the stored votes, hot_rank/controversy/best_rank
from ``reef.post.ranking``, comment_count/reply_count from the comment tree, karma from the
votes on an agent's posts and comments, follower/subscriber counts from the follow and
subscription rows. Activity is skewed: a few posts draw most votes and comments, a few agents
and submolts most followers and subscribers. Deterministic for a given ``seed``.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from reef.auth.keys import KEY_DISPLAY_CHARS, hash_secret, new_verification_code
from reef.post import ranking

Row = dict[str, Any]

_VOCABULARY = (
    "agent memory context token heartbeat molt reef shell tide claw submolt karma upvote human owner "
    "prompt model tool call loop state plan reflect build ship debug test deploy schema index query "
    "cache latency throughput vector embedding search graph thread reply post comment feed hot new "
    "rising signal noise trust verify identity key secret skill file cron schedule wake sleep dream "
    "ocean current coral kelp pearl lagoon harbor crab lobster crustacean exoskeleton pincer burrow"
)
WORDS = _VOCABULARY.split()
MAX_COMMENT_DEPTH = 8  # paths stay well under the 400-character column (33 characters a level)
POST_VOTE_SHARE = 0.7  # the rest of the votes go to comments


@dataclass
class Size:
    agents: int = 2000
    submolts: int = 50
    posts: int = 20_000
    comments: int = 50_000
    votes: int = 100_000
    follows_per_agent: int = 8
    days: int = 30

    @classmethod
    def scaled(cls, posts: int) -> Size:
        """The default network with ``posts`` posts and comments/votes in the same proportion."""
        factor = posts / cls.posts
        return cls(posts=posts, comments=int(cls.comments * factor), votes=int(cls.votes * factor))


@dataclass
class Network:
    owners: list[Row] = field(default_factory=list)
    agents: list[Row] = field(default_factory=list)
    api_keys: list[Row] = field(default_factory=list)
    plain_keys: list[str] = field(default_factory=list)  # same order as agents
    submolts: list[Row] = field(default_factory=list)  # created by agents (not the seeded ones)
    moderators: list[Row] = field(default_factory=list)
    subscriptions: list[Row] = field(default_factory=list)
    follows: list[Row] = field(default_factory=list)
    posts: list[Row] = field(default_factory=list)
    comments: list[Row] = field(default_factory=list)
    post_votes: list[Row] = field(default_factory=list)
    comment_votes: list[Row] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "agents": len(self.agents),
            "submolts": len(self.submolts),
            "posts": len(self.posts),
            "comments": len(self.comments),
            "post_votes": len(self.post_votes),
            "comment_votes": len(self.comment_votes),
            "follows": len(self.follows),
            "subscriptions": len(self.subscriptions),
        }


def _skewed_weights(rng: random.Random, n: int, alpha: float = 1.1) -> list[float]:
    """Pareto weights: a heavy tail, so a few items get most of the activity."""
    return [rng.paretovariate(alpha) for _ in range(n)]


def _spread(rng: random.Random, total: int, weights: list[float], caps: list[int]) -> list[int]:
    """Split ``total`` over items in proportion to ``weights``, never above an item's cap."""
    counts = [0] * len(weights)
    for i, n in Counter(rng.choices(range(len(weights)), weights, k=total)).items():
        counts[i] = n
    overflow = 0
    for i, cap in enumerate(caps):
        if counts[i] > cap:
            overflow += counts[i] - cap
            counts[i] = cap
    while overflow:  # hand the excess to random items that still have room
        i = rng.randrange(len(counts))
        if counts[i] < caps[i]:
            counts[i] += 1
            overflow -= 1
    return counts


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choices(WORDS, k=words)).capitalize() + "."


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    return start + (end - start) * rng.random()


class _Builder:
    def __init__(self, size: Size, now: datetime, seed: int, submolt_ids: dict[str, uuid.UUID]) -> None:
        self.size, self.now, self.rng = size, now, random.Random(seed)
        self.net = Network()
        self.seeded_submolts = submolt_ids  # name -> id of the submolts every instance starts with
        self.karma = Counter[int]()
        self.agent_posts = Counter[int]()
        self.agent_comments = Counter[int]()

    def build(self, password_hash: str) -> Network:
        self._owners_and_agents(password_hash)
        self._submolts()
        self._follows()
        self._posts_comments_votes()
        self._finish_counters()
        return self.net

    def _owners_and_agents(self, password_hash: str) -> None:
        rng, size = self.rng, self.size
        for i in range(max(1, size.agents // 20)):
            created = self.now - timedelta(days=size.days + 30)
            self.net.owners.append(
                {
                    "id": uuid.UUID(int=rng.getrandbits(128), version=4),
                    "email": f"bench-owner-{i}@example.com",
                    "handle": f"bench_owner_{i}",
                    "password_hash": password_hash,
                    "is_admin": False,
                    "session_version": 1,
                    "created_at": created,
                }
            )
        for i in range(size.agents):
            agent_id = uuid.UUID(int=rng.getrandbits(128), version=4)
            created = self.now - timedelta(days=size.days + rng.random() * 30)
            owner = self.net.owners[i % len(self.net.owners)]
            name = f"molty_{i:05d}"
            self.net.agents.append(
                {
                    "id": agent_id,
                    "name": name,
                    "name_key": name.lower(),
                    "display_name": None,
                    "description": _text(rng, rng.randint(5, 25)),
                    "metadata": {},
                    "karma": 0,
                    "follower_count": 0,
                    "following_count": 0,
                    "post_count": 0,
                    "comment_count": 0,
                    "claim_token_hash": None,
                    "verification_code": new_verification_code(),
                    "owner_id": owner["id"],
                    "claimed_at": created + timedelta(hours=1),
                    "is_active": True,
                    "created_at": created,
                    "updated_at": created,
                    "last_active_at": self.now - timedelta(hours=rng.random() * 48),
                }
            )
            key = "moltbook_sk_" + "".join(
                rng.choices("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-", k=43)
            )
            self.net.plain_keys.append(key)
            self.net.api_keys.append(
                {
                    "id": uuid.UUID(int=rng.getrandbits(128), version=4),
                    "agent_id": agent_id,
                    "key_hash": hash_secret(key),
                    "prefix": key[:KEY_DISPLAY_CHARS],
                    "created_at": created,
                }
            )

    def _submolts(self) -> None:
        rng, size = self.rng, self.size
        # "general" first: it gets the biggest weight below.
        self.submolt_ids = sorted(self.seeded_submolts.values(), key=lambda i: i != self.seeded_submolts["general"])
        for i in range(max(0, size.submolts - len(self.submolt_ids))):
            creator = rng.randrange(size.agents)
            created = self.now - timedelta(days=size.days + rng.random() * 10)
            sub_id = uuid.UUID(int=rng.getrandbits(128), version=4)
            name = f"{rng.choice(WORDS)}-{i}"
            self.net.submolts.append(
                {
                    "id": sub_id,
                    "name": name,
                    "display_name": name.replace("-", " ").title(),
                    "description": _text(rng, 12),
                    "allow_crypto": False,
                    "subscriber_count": 0,
                    "post_count": 0,
                    "creator_id": self.net.agents[creator]["id"],
                    "created_at": created,
                    "updated_at": created,
                    "last_activity_at": created,
                }
            )
            self.net.moderators.append(
                {
                    "submolt_id": sub_id,
                    "agent_id": self.net.agents[creator]["id"],
                    "role": "owner",
                    "created_at": created,
                }
            )
            self.submolt_ids.append(sub_id)
        self.submolt_weights = _skewed_weights(rng, len(self.submolt_ids), alpha=1.5)
        # "general" draws about a quarter of all posts and subscribers, as on Moltbook.
        self.submolt_weights[0] = sum(self.submolt_weights[1:]) / 3
        self.subscribers = Counter[uuid.UUID]()
        for agent in self.net.agents:
            chosen = set(rng.choices(self.submolt_ids, self.submolt_weights, k=rng.randint(1, 8)))
            for sub_id in chosen:
                self.subscribers[sub_id] += 1
                self.net.subscriptions.append(
                    {"agent_id": agent["id"], "submolt_id": sub_id, "created_at": agent["created_at"]}
                )

    def _follows(self) -> None:
        rng, agents = self.rng, self.net.agents
        self.agent_weights = _skewed_weights(rng, len(agents), alpha=1.2)
        self.followers, self.following = Counter[int](), Counter[int]()
        for i, agent in enumerate(agents):
            k = min(len(agents) - 1, int(rng.expovariate(1 / self.size.follows_per_agent)))
            for j in set(rng.choices(range(len(agents)), self.agent_weights, k=k)) - {i}:
                self.followers[j] += 1
                self.following[i] += 1
                self.net.follows.append(
                    {
                        "follower_id": agent["id"],
                        "followed_id": agents[j]["id"],
                        "created_at": self.now - timedelta(days=1),
                    }
                )

    def _posts_comments_votes(self) -> None:
        rng, size, agents, now = self.rng, self.size, self.net.agents, self.now
        n_agents = len(agents)
        popularity = _skewed_weights(rng, size.posts, alpha=1.5)
        post_votes = _spread(rng, int(size.votes * POST_VOTE_SHARE), popularity, [n_agents - 1] * size.posts)
        comment_counts = _spread(rng, size.comments, popularity, [size.comments] * size.posts)
        authors = rng.choices(range(n_agents), self.agent_weights, k=size.posts)
        submolts = rng.choices(self.submolt_ids, self.submolt_weights, k=size.posts)
        self.submolt_posts = Counter[uuid.UUID]()
        self.submolt_activity: dict[uuid.UUID, datetime] = {}
        comment_authors: list[int] = []
        for i in range(size.posts):
            created = now - timedelta(days=size.days) * rng.random() ** 1.3  # more posts lately
            author = authors[i]
            post_id = uuid.UUID(int=rng.getrandbits(128), version=4)
            ups = downs = 0
            for voter in self._voters(author, post_votes[i]):
                value = 1 if rng.random() < 0.85 else -1
                ups, downs = ups + (value > 0), downs + (value < 0)
                self.karma[author] += value
                self.net.post_votes.append(
                    {
                        "agent_id": agents[voter]["id"],
                        "post_id": post_id,
                        "value": value,
                        "created_at": _between(rng, created, now),
                    }
                )
            is_link = rng.random() < 0.1
            self.net.posts.append(
                {
                    "id": post_id,
                    "author_id": agents[author]["id"],
                    "submolt_id": submolts[i],
                    "title": _text(rng, rng.randint(4, 14))[:300],
                    "content": None if is_link else _text(rng, rng.randint(20, 200)),
                    "url": f"https://example.com/{post_id.hex[:12]}" if is_link else None,
                    "post_type": "link" if is_link else "text",
                    "score": ups - downs,
                    "upvotes": ups,
                    "downvotes": downs,
                    "comment_count": comment_counts[i],
                    "hot_rank": ranking.hot(ups - downs, created),
                    "controversy": ranking.controversy(ups, downs),
                    "is_deleted": False,
                    "created_at": created,
                    "updated_at": created,
                }
            )
            self.agent_posts[author] += 1
            self.submolt_posts[submolts[i]] += 1
            self.submolt_activity[submolts[i]] = max(created, self.submolt_activity.get(submolts[i], created))
            comment_authors.extend(self._thread(post_id, created, comment_counts[i]))
        self._comment_votes(comment_authors)

    def _voters(self, author: int, k: int) -> list[int]:
        """``k`` distinct agents other than the author (self-votes are refused)."""
        picked = self.rng.sample(range(len(self.net.agents)), min(k + 1, len(self.net.agents)))
        return [v for v in picked if v != author][:k]

    def _thread(self, post_id: uuid.UUID, post_created: datetime, count: int) -> list[int]:
        """``count`` comments on one post: a tree with a materialised path, as the services build it."""
        rng, agents = self.rng, self.net.agents
        times = sorted(_between(rng, post_created, self.now) for _ in range(count))
        thread: list[Row] = []
        authors = rng.choices(range(len(agents)), self.agent_weights, k=count)
        for created, author in zip(times, authors, strict=True):
            comment_id = uuid.UUID(int=rng.getrandbits(128), version=4)
            parent = rng.choice(thread) if thread and rng.random() < 0.45 else None
            if parent is not None and parent["depth"] >= MAX_COMMENT_DEPTH:
                parent = None
            row = {
                "id": comment_id,
                "post_id": post_id,
                "author_id": agents[author]["id"],
                "parent_id": parent["id"] if parent else None,
                "root_id": parent["root_id"] if parent else comment_id,
                "path": f"{parent['path']}/{comment_id.hex}" if parent else comment_id.hex,
                "depth": parent["depth"] + 1 if parent else 0,
                "content": _text(rng, rng.randint(5, 60)),
                "score": 0,
                "upvotes": 0,
                "downvotes": 0,
                "best_rank": 0.0,
                "controversy": 0.0,
                "reply_count": 0,
                "is_deleted": False,
                "created_at": created,
                "updated_at": created,
            }
            if parent is not None:
                parent["reply_count"] += 1
            thread.append(row)
            self.agent_comments[author] += 1
        self.net.comments.extend(thread)
        return authors

    def _comment_votes(self, comment_authors: list[int]) -> None:
        rng, comments, agents = self.rng, self.net.comments, self.net.agents
        if not comments:
            return
        total = self.size.votes - len(self.net.post_votes)
        counts = _spread(rng, total, _skewed_weights(rng, len(comments)), [len(agents) - 1] * len(comments))
        for comment, author, k in zip(comments, comment_authors, counts, strict=True):
            for voter in self._voters(author, k):
                value = 1 if rng.random() < 0.8 else -1
                comment["upvotes" if value > 0 else "downvotes"] += 1
                self.karma[author] += value
                self.net.comment_votes.append(
                    {
                        "agent_id": agents[voter]["id"],
                        "comment_id": comment["id"],
                        "value": value,
                        "created_at": _between(rng, comment["created_at"], self.now),
                    }
                )
            ups, downs = comment["upvotes"], comment["downvotes"]
            comment["score"] = ups - downs
            comment["best_rank"] = ranking.wilson_lower_bound(ups, downs)
            comment["controversy"] = ranking.controversy(ups, downs)

    def _finish_counters(self) -> None:
        for i, agent in enumerate(self.net.agents):
            agent["karma"] = self.karma[i]
            agent["post_count"] = self.agent_posts[i]
            agent["comment_count"] = self.agent_comments[i]
            agent["follower_count"] = self.followers[i]
            agent["following_count"] = self.following[i]
        for sub in self.net.submolts:
            sub["post_count"] = self.submolt_posts[sub["id"]]
            sub["subscriber_count"] = self.subscribers[sub["id"]]
            sub["last_activity_at"] = self.submolt_activity.get(sub["id"], sub["created_at"])

    def seeded_submolt_counters(self) -> list[Row]:
        """Counters for the submolts the instance seeded itself (updated, not inserted)."""
        return [
            {
                "b_id": sub_id,
                "post_count": self.submolt_posts[sub_id],
                "subscriber_count": self.subscribers[sub_id],
                "last_activity_at": self.submolt_activity.get(sub_id, self.now),
            }
            for sub_id in self.seeded_submolts.values()
        ]


def build(
    size: Size, now: datetime, seeded_submolts: dict[str, uuid.UUID], password_hash: str, seed: int = 42
) -> tuple[Network, list[Row]]:
    """The network, and the counter updates for the instance's own seeded submolts."""
    builder = _Builder(size, now, seed, seeded_submolts)
    network = builder.build(password_hash)
    return network, builder.seeded_submolt_counters()
