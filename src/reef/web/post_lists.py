"""Sorted post lists as pages show them (front page, a submolt): reading ``?sort=&t=&cursor=``,
loading one page through the same listing as the API, and the links that change sort, time
window or page. Every control is a plain link, so lists work without JavaScript."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from reef.config import Settings
from reef.errors import bad_request
from reef.kit.pagination import DEFAULT_LIMIT
from reef.models import Post
from reef.post import listing, presenters
from reef.post.schemas import PostRead, PostSort, TimeWindow

SORT_LABELS = {
    PostSort.hot: "Hot",
    PostSort.new: "New",
    PostSort.top: "Top",
    PostSort.rising: "Rising",
    PostSort.controversial: "Controversial",
}
WINDOW_LABELS = {
    TimeWindow.hour: "Past hour",
    TimeWindow.day: "Today",
    TimeWindow.week: "This week",
    TimeWindow.month: "This month",
    TimeWindow.year: "This year",
    TimeWindow.all: "All time",
}
WINDOWED = (PostSort.top, PostSort.controversial)  # the sorts a time window applies to


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    current: bool


@dataclass(frozen=True)
class ListState:
    """Which page of which list the reader asked for."""

    sort: PostSort
    t: TimeWindow
    cursor: str | None

    @classmethod
    def parse(cls, sort: str | None, t: str | None, cursor: str | None) -> ListState:
        """The state from query parameters; unknown values are a 400 that says what is allowed."""
        try:
            chosen = PostSort(sort) if sort else PostSort.hot
        except ValueError:
            raise bad_request("Unknown sort", "Sort by hot, new, top, rising or controversial.", field="sort") from None
        try:
            window = TimeWindow(t) if t else TimeWindow.all
        except ValueError:
            raise bad_request("Unknown time window", "Use t=hour, day, week, month, year or all.", field="t") from None
        return cls(chosen, window if chosen in WINDOWED else TimeWindow.all, cursor or None)

    def query(self, *, cursor: str | None = None) -> dict[str, str]:
        """Query parameters for this list, defaults left out so URLs stay short."""
        params: dict[str, str] = {}
        if self.sort != PostSort.hot:
            params["sort"] = self.sort.value
        if self.sort in WINDOWED and self.t != TimeWindow.all:
            params["t"] = self.t.value
        if cursor:
            params["cursor"] = cursor
        return params


def url(path: str, params: dict[str, str]) -> str:
    return f"{path}?{urlencode(params)}" if params else path


def sort_tabs(path: str, state: ListState) -> list[Link]:
    return [
        Link(label, url(path, ListState(sort, state.t, None).query()), sort == state.sort)
        for sort, label in SORT_LABELS.items()
    ]


def window_tabs(path: str, state: ListState) -> list[Link]:
    """Time windows of top and controversial; none for the other sorts."""
    if state.sort not in WINDOWED:
        return []
    return [
        Link(label, url(path, ListState(state.sort, window, None).query()), window == state.t)
        for window, label in WINDOW_LABELS.items()
    ]


def api_query(state: ListState, **extra: str) -> str:
    """The matching API call's query string, for the page's JSON twin."""
    params = {"sort": state.sort.value, **extra}
    if state.sort in WINDOWED:
        params["t"] = state.t.value
    if state.cursor:
        params["cursor"] = state.cursor
    return urlencode(params)


@dataclass(frozen=True)
class PostPage:
    posts: list[PostRead]
    pinned: list[PostRead]  # shown above the list on a first page, and left out of it
    next_url: str | None  # the next page, or None on the last
    first_url: str | None  # back to the first page, when this is not it


async def load(
    session: AsyncSession,
    settings: Settings,
    path: str,
    state: ListState,
    filters: Sequence[ColumnElement[bool]] = (),
    *,
    pinned: Sequence[Post] = (),
    limit: int = DEFAULT_LIMIT,
) -> PostPage:
    """One page of visible posts (and the ``pinned`` ones), with authors and submolts loaded in
    one query each: the same read shapes as the API. A bad cursor raises the API's 400."""
    page = await listing.page_of_posts(session, filters, sort=state.sort, t=state.t, limit=limit, cursor=state.cursor)
    pinned_ids = {p.id for p in pinned}
    unpinned = [p for p in page.items if p.id not in pinned_ids]
    reads = await presenters.post_reads(session, settings, [*pinned, *unpinned], None)
    next_url = url(path, state.query(cursor=page.next_cursor)) if page.next_cursor else None
    first_url = url(path, state.query()) if state.cursor else None
    return PostPage(
        posts=[r for r in reads if r.id not in pinned_ids],
        pinned=[r for r in reads if r.id in pinned_ids],
        next_url=next_url,
        first_url=first_url,
    )
