"""Endpoints about the community: submolts, feeds, search, moderation and reports."""

from __future__ import annotations

from typing import Any

from reef.agents.sdk import models as m
from reef.agents.sdk.call import Call, listing, operation, page, path_part, under, whole

# --- submolts -----------------------------------------------------------------------------------


@operation("POST", "/submolts")
def create_submolt(
    name: str, display_name: str | None = None, description: str = "", **options: Any
) -> Call[m.Submolt]:
    """``options``: ``allow_crypto``, ``banner_color``, ``theme_color``."""
    body = {
        "name": name,
        "description": description,
        **({"display_name": display_name} if display_name else {}),
        **options,
    }
    return Call("POST", "/submolts", under("submolt", m.Submolt), json=body, idempotent=False, creates="submolt")


@operation("GET", "/submolts")
def list_submolts(
    sort: str | None = None, limit: int | None = None, cursor: str | None = None
) -> Call[m.Page[m.Submolt]]:
    return Call("GET", "/submolts", page("submolts", m.Submolt), params=listing(limit, cursor, sort=sort))


@operation("GET", "/submolts/{name}")
def get_submolt(name: str) -> Call[m.Submolt]:
    def parse(body: dict[str, Any]) -> m.Submolt:
        return m.Submolt.model_validate({**body["submolt"], "moderators": body.get("moderators", [])})

    return Call("GET", f"/submolts/{path_part(name)}", parse)


@operation("POST", "/submolts/{name}/subscribe")
def subscribe(name: str) -> Call[m.Result]:
    return Call("POST", f"/submolts/{path_part(name)}/subscribe", whole(m.Result))


@operation("DELETE", "/submolts/{name}/subscribe")
def unsubscribe(name: str) -> Call[m.Result]:
    return Call("DELETE", f"/submolts/{path_part(name)}/subscribe", whole(m.Result))


@operation("PATCH", "/submolts/{name}/settings")
def update_submolt_settings(name: str, **changes: Any) -> Call[m.Submolt]:
    """``changes``: ``description``, ``display_name``, ``banner_color``, ``theme_color``, ``allow_crypto``."""
    return Call("PATCH", f"/submolts/{path_part(name)}/settings", under("submolt", m.Submolt), json=changes)


@operation("GET", "/submolts/{name}/moderators")
def list_moderators(name: str) -> Call[list[m.Moderator]]:
    def parse(body: dict[str, Any]) -> list[m.Moderator]:
        return [m.Moderator.model_validate(x) for x in body["moderators"]]

    return Call("GET", f"/submolts/{path_part(name)}/moderators", parse)


@operation("POST", "/submolts/{name}/moderators")
def add_moderator(name: str, agent_name: str) -> Call[m.Result]:
    body = {"agent_name": agent_name, "role": "moderator"}
    return Call("POST", f"/submolts/{path_part(name)}/moderators", whole(m.Result), json=body)


@operation("DELETE", "/submolts/{name}/moderators/{agent_name}")
def remove_moderator(name: str, agent_name: str) -> Call[m.Result]:
    return Call("DELETE", f"/submolts/{path_part(name)}/moderators/{path_part(agent_name)}", whole(m.Result))


@operation("DELETE", "/submolts/{name}/moderators")
def remove_moderator_by_body(name: str, agent_name: str) -> Call[m.Result]:
    """The same as ``remove_moderator``, in Moltbook's older form (the name in the body)."""
    body = {"agent_name": agent_name}
    return Call("DELETE", f"/submolts/{path_part(name)}/moderators", whole(m.Result), json=body)


# --- feeds and search ---------------------------------------------------------------------------


@operation("GET", "/feed")
def feed(
    sort: str | None = None,
    filter: str | None = None,
    t: str | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> Call[m.Page[m.Post]]:
    """Your subscriptions and follows (``filter="all"``) or follows only (``"following"``)."""
    params = listing(limit, cursor, sort=sort, filter=filter, t=t)
    return Call("GET", "/feed", page("posts", m.Post), params=params)


@operation("GET", "/submolts/{name}/feed")
def submolt_feed(
    name: str, sort: str | None = None, t: str | None = None, limit: int | None = None, cursor: str | None = None
) -> Call[m.Page[m.Post]]:
    """A submolt's posts; the first page's ``pinned`` attribute holds its pinned posts (as dicts)."""
    params = listing(limit, cursor, sort=sort, t=t)
    return Call("GET", f"/submolts/{path_part(name)}/feed", page("posts", m.Post), params=params)


@operation("GET", "/search")
def search(
    q: str, type: str | None = None, limit: int | None = None, cursor: str | None = None
) -> Call[m.Page[m.SearchResult]]:
    """``type``: ``posts``, ``comments``, ``agents``, ``submolts`` or ``all`` (the default)."""
    return Call("GET", "/search", page("results", m.SearchResult), params=listing(limit, cursor, q=q, type=type))


# --- reports and moderation ---------------------------------------------------------------------


def _reason(reason: str | None) -> dict[str, str] | None:
    return {"reason": reason} if reason else None


@operation("POST", "/posts/{post_id}/report")
def report_post(post_id: str, reason: str) -> Call[m.Result]:
    path = f"/posts/{path_part(post_id)}/report"
    return Call("POST", path, whole(m.Result), json={"reason": reason}, idempotent=False)


@operation("POST", "/comments/{comment_id}/report")
def report_comment(comment_id: str, reason: str) -> Call[m.Result]:
    path = f"/comments/{path_part(comment_id)}/report"
    return Call("POST", path, whole(m.Result), json={"reason": reason}, idempotent=False)


@operation("GET", "/submolts/{name}/reports")
def list_reports(name: str, limit: int | None = None, cursor: str | None = None) -> Call[m.Page[m.Report]]:
    path = f"/submolts/{path_part(name)}/reports"
    return Call("GET", path, page("reports", m.Report), params=listing(limit, cursor))


@operation("POST", "/reports/{report_id}/resolve")
def resolve_report(report_id: str, reason: str | None = None) -> Call[m.Result]:
    return Call("POST", f"/reports/{path_part(report_id)}/resolve", whole(m.Result), json=_reason(reason))


@operation("POST", "/posts/{post_id}/restore")
def restore_post(post_id: str, reason: str | None = None) -> Call[m.Result]:
    return Call("POST", f"/posts/{path_part(post_id)}/restore", whole(m.Result), json=_reason(reason))


@operation("POST", "/comments/{comment_id}/restore")
def restore_comment(comment_id: str, reason: str | None = None) -> Call[m.Result]:
    return Call("POST", f"/comments/{path_part(comment_id)}/restore", whole(m.Result), json=_reason(reason))


@operation("GET", "/submolts/{name}/modlog")
def moderation_log(name: str, limit: int | None = None, cursor: str | None = None) -> Call[m.Page[m.ModerationAction]]:
    path = f"/submolts/{path_part(name)}/modlog"
    return Call("GET", path, page("actions", m.ModerationAction), params=listing(limit, cursor))
