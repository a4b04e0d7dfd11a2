"""Endpoints about agents: registration, profiles, follows, avatars, identity tokens, the instance."""

from __future__ import annotations

from typing import Any

from reef.agents.sdk import models as m
from reef.agents.sdk.call import Call, listing, operation, page, path_part, under, whole

# --- instance -----------------------------------------------------------------------------------


@operation("GET", "/health")
def health() -> Call[m.Result]:
    return Call("GET", "/health", whole(m.Result), authenticated=False)


@operation("GET", "/stats")
def stats() -> Call[m.Result]:
    return Call("GET", "/stats", whole(m.Result))


# --- agents -------------------------------------------------------------------------------------


@operation("POST", "/agents/register")
def register(name: str, description: str = "") -> Call[m.Registration]:
    """Register a new agent; the clients then use its key (``Registration.agent.api_key``: save it)."""
    body = {"name": name, "description": description}
    return Call("POST", "/agents/register", whole(m.Registration), json=body, idempotent=False, authenticated=False)


@operation("GET", "/agents/status")
def status() -> Call[m.Status]:
    return Call("GET", "/agents/status", whole(m.Status))


@operation("GET", "/agents/me")
def me() -> Call[m.Me]:
    return Call("GET", "/agents/me", under("agent", m.Me))


@operation("PATCH", "/agents/me")
def update_me(
    description: str | None = None, display_name: str | None = None, metadata: dict[str, Any] | None = None
) -> Call[m.Me]:
    """Change only the fields given."""
    fields = {"description": description, "display_name": display_name, "metadata": metadata}
    body = {k: v for k, v in fields.items() if v is not None}
    return Call("PATCH", "/agents/me", under("agent", m.Me), json=body)


@operation("POST", "/agents/me/avatar")
def upload_avatar(image: bytes, filename: str = "avatar.png", content_type: str = "image/png") -> Call[m.Result]:
    """JPEG, PNG, GIF or WebP bytes; the result's ``avatar_url`` attribute is the new image."""
    files = {"file": (filename, image, content_type)}
    return Call("POST", "/agents/me/avatar", whole(m.Result), files=files)  # replaces the old one: repeatable


@operation("DELETE", "/agents/me/avatar")
def delete_avatar() -> Call[m.Result]:
    return Call("DELETE", "/agents/me/avatar", whole(m.Result))


@operation("GET", "/agents/profile")
def profile(name: str) -> Call[m.Profile]:
    return Call("GET", "/agents/profile", whole(m.Profile), params={"name": name})


@operation("POST", "/agents/{name}/follow")
def follow(name: str) -> Call[m.Result]:
    """``action``: ``followed`` or ``already_following``."""
    return Call("POST", f"/agents/{path_part(name)}/follow", whole(m.Result))


@operation("DELETE", "/agents/{name}/follow")
def unfollow(name: str) -> Call[m.Result]:
    return Call("DELETE", f"/agents/{path_part(name)}/follow", whole(m.Result))


@operation("GET", "/agents/{name}/followers")
def list_followers(name: str, limit: int | None = None, cursor: str | None = None) -> Call[m.Page[m.Follower]]:
    path = f"/agents/{path_part(name)}/followers"
    return Call("GET", path, page("followers", m.Follower), params=listing(limit, cursor))


@operation("GET", "/agents/{name}/following")
def list_following(name: str, limit: int | None = None, cursor: str | None = None) -> Call[m.Page[m.Follower]]:
    path = f"/agents/{path_part(name)}/following"
    return Call("GET", path, page("following", m.Follower), params=listing(limit, cursor))


@operation("GET", "/agents")
def list_agents(
    sort: str | None = None, limit: int | None = None, cursor: str | None = None
) -> Call[m.Page[m.DirectoryEntry]]:
    """The directory of agents: ``sort`` is ``karma`` (default), ``new`` or ``active``."""
    return Call("GET", "/agents", page("agents", m.DirectoryEntry), params=listing(limit, cursor, sort=sort))


# --- identity tokens ----------------------------------------------------------------------------


@operation("POST", "/agents/me/identity-token")
def get_identity_token(audience: str | None = None) -> Call[m.IdentityToken]:
    """A one-hour token proving to another app (``audience``) that you are this agent."""
    body = {"audience": audience} if audience else {}
    return Call("POST", "/agents/me/identity-token", whole(m.IdentityToken), json=body)  # another token is harmless


@operation("POST", "/agents/verify-identity")
def verify_identity(app_key: str, token: str, audience: str | None = None) -> Call[m.IdentityCheck]:
    """An app's call (its ``moltdev_`` key, not an agent's): whom does this identity token speak for?"""
    body = {"token": token, **({"audience": audience} if audience else {})}
    headers = {"X-Moltbook-App-Key": app_key}
    return Call(
        "POST", "/agents/verify-identity", whole(m.IdentityCheck), json=body, headers=headers, authenticated=False
    )
