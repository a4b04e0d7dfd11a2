"""The social half of a heartbeat: answering, messaging, voting, following and commenting.

``Social`` works for one ``heartbeat.Agent`` and goes through its ``_call`` (so every limit and
error is handled in one place); this module turns the SDK's results into the plain views the
brains read (``reef.agents.brain.base``) and carries out what the brain decides.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reef.agents.brain.base import AgentView, CommentView, MessageView, PostView
from reef.agents.memory import Conversation
from reef.agents.sdk import models as m

if TYPE_CHECKING:
    from reef.agents.heartbeat import Agent

# heartbeat.md: follow after enjoying a few posts of the same agent. Liked comments count too, so
# two liked items are about as many posts.
FOLLOW_AFTER_LIKES = 2
DM_CHANCE = 0.5  # per beat, scaled by the persona's activity, when it follows someone it has not asked
MAX_THREAD_DEPTH = 9  # the API refuses replies below depth 10
MAX_MESSAGES_PER_CONVERSATION = 12  # a conversation rests after this many of its own messages
ESCALATED_NOTIFICATIONS = {"moderation", "security"}


def post_view(post: m.Post) -> PostView:
    return PostView(
        id=post.id,
        title=post.title,
        content=post.content or "",
        submolt=post.submolt.name if post.submolt else "general",
        author=post.author.name if post.author else "",
        score=post.score,
        comment_count=post.comment_count,
        url=post.url,
        created_at=post.created_at.isoformat() if post.created_at else "",
    )


def thread_views(comments: list[m.Comment]) -> list[CommentView]:
    """A comment tree flattened in reading order (each comment before its replies)."""
    flat: list[CommentView] = []

    def walk(items: list[m.Comment]) -> None:
        for c in items:
            flat.append(
                CommentView(
                    id=c.id,
                    post_id=c.post_id,
                    author=c.author.name if c.author else "[deleted]",
                    content=c.content,
                    parent_id=c.parent_id,
                    depth=c.depth,
                    score=c.score,
                )
            )
            walk(c.replies)

    walk(comments)
    return flat


class Social:
    def __init__(self, agent: Agent) -> None:
        self.agent = agent

    # --- step 2: activity on its posts ---------------------------------------------------------

    async def answer_activity(self, activity: list[m.PostActivity]) -> None:
        a = self.agent
        for item in activity[:3]:
            if a._resting("comments"):
                return  # leave them unread: they are answered when comments may flow again
            detail = await a._call("read", a.client.get_post(item.post_id))
            if detail is None:
                continue
            post = post_view(detail.post)
            thread = thread_views(detail.comments)
            for target in self._addressed_to_me(thread, post)[-2:]:
                await self._reply(post, thread, target)
                await self._enjoyed(target.author)  # someone who engages with it: maybe worth following
            await a._call("read", a.client.mark_post_notifications_read(item.post_id))

    def _addressed_to_me(self, thread: list[CommentView], post: PostView) -> list[CommentView]:
        """Unanswered comments on its post, replies to its comments and mentions of it."""
        me = self.agent.name
        mine = {c.id for c in thread if c.author == me}
        memory = self.agent.memory
        return [
            c
            for c in thread
            if c.author not in (me, "[deleted]")
            and not memory.knows("replied_comments", c.id)
            and c.depth < MAX_THREAD_DEPTH
            and (
                c.parent_id in mine
                or (post.author == me and c.parent_id is None)
                or f"@{me.lower()}" in c.content.lower()
            )
        ]

    async def _reply(self, post: PostView, thread: list[CommentView], target: CommentView | None) -> bool:
        a = self.agent
        if a._resting("comments"):
            return False
        text = await a.brain.write_comment(a.persona, a.situation, post, thread, target)
        if target is not None:
            a.memory.remember("replied_comments", target.id)  # answered, or consciously let be
        if not text:
            return False
        parent = target.id if target else None
        made = await a._call("comments", a.client.comment(post.id, text, parent_id=parent))
        if made is None:
            return False
        if target is None:
            a.memory.remember("commented_posts", post.id)
        a.memory.remember("seen_comments", made.id)
        a.report.add("replies" if target else "comments")
        a.memory.count("comments")
        return True

    # --- step 3: direct messages -----------------------------------------------------------------

    async def handle_dms(self) -> None:
        a = self.agent
        check = await a._call("read", a.client.dm_check())
        if check is None:
            return
        just_approved: list[str] = []
        if check.requests.count:
            just_approved = await self._decide_requests()
        if check.messages.total_unread or just_approved:
            await self._answer_conversations(set(just_approved))

    async def _decide_requests(self) -> list[str]:
        a = self.agent
        page = await a._call("read", a.client.dm_requests(limit=10))
        approved: list[str] = []
        for request in page.items if page else []:
            asker = request.from_agent.name
            # heartbeat.md: a new request is for the human to know about (and, in owner mode, decide).
            a._escalate("dm_request", f"{asker} asked for a conversation: {request.message_preview}")
            if a._resting("dm_decisions"):
                continue
            accept = await a.brain.accept_dm(a.persona, a.situation, asker, request.message)
            decide = a.client.dm_approve if accept else a.client.dm_reject
            decision = await a._call("dm_decisions", decide(request.conversation_id))
            if decision is None:
                continue
            a.memory.state.conversations[request.conversation_id] = Conversation(
                with_agent=asker, status=decision.status
            )
            a.report.add("dm requests approved" if accept else "dm requests declined")
            if accept:
                approved.append(request.conversation_id)
        return approved

    async def _answer_conversations(self, just_approved: set[str]) -> None:
        a = self.agent
        page = await a._call("read", a.client.dm_conversations(limit=20))
        for conv in page.items if page else []:
            if conv.unread_count == 0 and conv.conversation_id not in just_approved:
                continue
            detail = await a._call("read", a.client.dm_read(conv.conversation_id, limit=30))
            if detail is None:
                continue
            other = conv.with_agent.name if conv.with_agent else "?"
            known = a.memory.state.conversations.setdefault(
                conv.conversation_id, Conversation(with_agent=other, you_initiated=conv.you_initiated)
            )
            known.status = "approved"
            messages = self._messages(detail)
            for message in detail.messages:
                if message.needs_human_input and self._sender(message) != a.name:
                    a._escalate("needs_human_input", f"{other} wrote: {message.content[:300]}")
            known.messages_received = sum(1 for msg in messages if msg.author != a.name)
            if known.messages_sent >= MAX_MESSAGES_PER_CONVERSATION or a._resting("dm_messages"):
                continue
            text = await a.brain.write_dm(a.persona, a.situation, other, messages)
            if text and await a._call("dm_messages", a.client.dm_send(conv.conversation_id, text)) is not None:
                known.messages_sent += 1
                a.report.add("dm messages")
                a.memory.count("dm_messages")

    @staticmethod
    def _sender(message: m.Message) -> str:
        return message.sender.name if message.sender else ""

    def _messages(self, detail: m.ConversationDetail) -> list[MessageView]:
        """The conversation oldest first, starting with the request that opened it."""
        conv = detail.conversation
        views = []
        if conv.request_message:
            asker = self.agent.name if conv.you_initiated else (conv.with_agent.name if conv.with_agent else "?")
            views.append(MessageView(author=asker, content=conv.request_message))
        views.extend(MessageView(author=self._sender(msg), content=msg.content) for msg in detail.messages)
        return views

    async def maybe_open_dm(self) -> None:
        """Now and then, ask an agent it follows for a private conversation (never twice)."""
        a = self.agent
        state = a.memory.state
        talking = {c.with_agent for c in state.conversations.values()}
        candidates = [n for n in state.followed if n not in state.dm_asked and n not in talking]
        if not candidates or a._resting("dm_requests") or a.rng.random() > DM_CHANCE * a.persona.activity:
            return
        other = a.rng.choice(candidates)
        view = await self._agent_view(other)
        if view is None:
            return
        message = await a.brain.open_dm(a.persona, a.situation, view)
        if not message:
            return
        requested = await a._call("dm_requests", a.client.dm_request(other, message))
        if a._resting("dm_requests"):
            return  # not allowed yet (a new agent, a limit): ask again later
        a.memory.remember("dm_asked", other)
        if requested is not None:
            state.conversations[requested.conversation_id] = Conversation(
                with_agent=other, status=requested.status, you_initiated=True
            )
            a.report.add("dm requests sent")
            a.memory.count("dm_requests")

    # --- steps 4 and 5: vote, follow, comment --------------------------------------------------------

    async def vote_and_follow(self, posts: list[PostView]) -> None:
        a = self.agent
        for post in posts[:12]:
            if post.author == a.name or post.id in a.memory.state.voted or a.memory.knows("seen_posts", post.id):
                continue
            a.memory.remember("seen_posts", post.id)
            vote = await a.brain.vote(a.persona, a.situation, post)
            if vote and not a._resting("votes"):
                await self._vote(post.id, vote, is_post=True)
                if vote > 0:
                    await self._enjoyed(post.author)

    async def _vote(self, target_id: str, vote: int, *, is_post: bool) -> None:
        a = self.agent
        client = a.client
        if is_post:
            request = client.upvote_post(target_id) if vote > 0 else client.downvote_post(target_id)
        else:
            request = client.upvote_comment(target_id) if vote > 0 else client.downvote_comment(target_id)
        result = await a._call("votes", request)
        a.memory.record_vote(target_id, vote)  # even when refused: never toggle it back by accident
        if result is not None:
            a.report.add("votes")
            a.memory.count("votes")

    async def _enjoyed(self, author: str) -> None:
        """One more liked post or comment by ``author``; after a few, the brain may decide to follow."""
        a = self.agent
        state = a.memory.state
        if not author or author in state.followed:
            return
        state.liked_authors[author] = state.liked_authors.get(author, 0) + 1
        if state.liked_authors[author] < FOLLOW_AFTER_LIKES or a._resting("follows"):
            return
        state.liked_authors[author] = 0  # asked now; asked again after as many more
        view = await self._agent_view(author)
        if view is None or not await a.brain.follow(a.persona, a.situation, view):
            return
        if await a._call("follows", a.client.follow(author)) is not None:
            a.memory.remember("followed", author)
            a.report.add("follows")
            a.memory.count("follows")

    async def _agent_view(self, name: str) -> AgentView | None:
        profile = await self.agent._call("read", self.agent.client.profile(name))
        if profile is None:
            return None
        agent = profile.agent
        titles = tuple(p.title for p in profile.recent_posts[:5])
        return AgentView(name=agent.name, description=agent.description, karma=agent.karma, recent_titles=titles)

    async def comment_on(self, posts: list[PostView]) -> None:
        """Join a conversation or two: a comment on a post, or a reply deep in its thread."""
        a = self.agent
        me = a.name
        candidates = [p for p in posts if p.author != me and not a.memory.knows("commented_posts", p.id)]
        if not candidates or a._resting("comments"):
            return
        count = 2 if a.persona.activity > 1.5 else 1
        for post in a.rng.sample(candidates, min(count, len(candidates))):
            page = await a._call("read", a.client.list_comments(post.id, sort="best", limit=35))
            thread = thread_views(page.items) if page else []
            await self._vote_on_comments(thread)
            others = [
                c
                for c in thread
                if c.author not in (me, "[deleted]")
                and c.depth < MAX_THREAD_DEPTH
                and not a.memory.knows("replied_comments", c.id)
            ]
            target = None
            if others and a.rng.random() < 0.6:  # more often a reply than a new top-level comment
                target = a.rng.choices(others, weights=[c.depth + 1 for c in others])[0]  # deeper: likelier
            await self._reply(post, thread, target)

    async def _vote_on_comments(self, thread: list[CommentView]) -> None:
        a = self.agent
        fresh = [c for c in thread if c.author != a.name and c.id not in a.memory.state.voted]
        for comment in fresh[:2]:
            if a._resting("votes"):
                return
            vote = await a.brain.vote(a.persona, a.situation, comment)
            if vote:
                await self._vote(comment.id, vote, is_post=False)
                if vote > 0:
                    await self._enjoyed(comment.author)

    # --- notifications the rules say to pass on ------------------------------------------------

    async def pass_on_notifications(self) -> None:
        """Escalate moderation and security notices; mark every other non-activity notice read."""
        a = self.agent
        page = await a._call("read", a.client.list_notifications(unread=True, limit=20))
        for note in page.items if page else []:
            if note.type in ("comment", "reply", "mention"):
                continue  # activity: marked read per post once answered
            if note.type in ESCALATED_NOTIFICATIONS:
                a._escalate(note.type, note.message)
            await a._call("read", a.client.mark_notification_read(note.id))
