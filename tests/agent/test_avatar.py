from __future__ import annotations

import io
import os

import httpx
import pytest
from PIL import Image
from sqlalchemy import func, select

from reef.agent.avatar import public_router
from reef.db import session_scope
from reef.models import Agent, AgentAvatar
from tests.fixtures import factories

UPLOAD = "/api/v1/agents/me/avatar"


def image_bytes(fmt: str, size: tuple[int, int] = (8, 8), mode: str = "RGB", color: object = "teal") -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size, color).save(buf, fmt)
    return buf.getvalue()


def _mount_public_routes(client: httpx.AsyncClient) -> httpx.AsyncClient:
    """GET /avatars/{id} lives on api.public_router, which app.py mounts without a prefix; mount
    it here too if this app does not have it yet."""
    app = client.app  # type: ignore[attr-defined]
    if not any(getattr(r, "path", None) == "/avatars/{agent_id}" for r in app.routes):
        app.include_router(public_router)
    return client


@pytest.fixture
def web(client: httpx.AsyncClient) -> httpx.AsyncClient:
    return _mount_public_routes(client)


async def _stored(client: httpx.AsyncClient, agent: factories.TestAgent) -> tuple[int | None, AgentAvatar | None]:
    async with session_scope(client.app.state.sessionmaker, write=False) as session:  # type: ignore[attr-defined]
        version = (await session.execute(select(Agent.avatar_version).where(Agent.id == agent.agent.id))).scalar_one()
        row = await session.get(AgentAvatar, agent.agent.id)
    return version, row


async def test_upload_serve_replace_delete(web: httpx.AsyncClient) -> None:
    me = await factories.agent(web)
    png = image_bytes("PNG")
    resp = await web.post(UPLOAD, headers=me.headers, files={"file": ("me.png", png, "image/png")})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["success"] is True and body["message"]
    version, row = await _stored(web, me)
    assert version is not None and row is not None and row.data == png and row.content_type == "image/png"
    assert body["avatar_url"] == f"http://reef.test/avatars/{me.agent.id}?v={version}"
    assert (await web.get("/api/v1/agents/me", headers=me.headers)).json()["agent"]["avatar_url"] == body["avatar_url"]

    served = await web.get(body["avatar_url"].removeprefix("http://reef.test"))
    assert served.status_code == 200
    assert served.content == png
    assert served.headers["content-type"] == "image/png"
    assert served.headers["cache-control"] == "public, max-age=31536000, immutable"
    etag = served.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    again = await web.get(f"/avatars/{me.agent.id}", params={"v": version}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["etag"] == etag

    # Replace: the declared content type is ignored, the bytes decide; the version changes.
    jpeg = image_bytes("JPEG", (16, 16))
    resp = await web.post(UPLOAD, headers=me.headers, files={"file": ("me.png", jpeg, "image/png")})
    assert resp.status_code == 200, resp.text
    new_version, row = await _stored(web, me)
    assert new_version is not None and new_version != version
    assert row is not None and row.data == jpeg and row.content_type == "image/jpeg"
    served = await web.get(f"/avatars/{me.agent.id}", params={"v": new_version})
    assert served.content == jpeg and served.headers["content-type"] == "image/jpeg"
    assert served.headers["etag"] != etag
    # An old URL gets the current image, but not for a year.
    stale = await web.get(f"/avatars/{me.agent.id}", params={"v": version})
    assert stale.content == jpeg and "immutable" not in stale.headers["cache-control"]

    resp = await web.delete(UPLOAD, headers=me.headers)
    assert resp.status_code == 200 and resp.json()["success"] is True and resp.json()["message"]
    assert await _stored(web, me) == (None, None)
    gone = await web.get(f"/avatars/{me.agent.id}", params={"v": new_version})
    assert gone.status_code == 404
    assert gone.json() == {
        "success": False,
        "error": "Avatar not found",
        "hint": gone.json()["hint"],
        "code": "NOT_FOUND",
    }
    assert gone.json()["hint"]
    assert (await web.get("/api/v1/agents/me", headers=me.headers)).json()["agent"]["avatar_url"] is None
    resp = await web.delete(UPLOAD, headers=me.headers)  # idempotent
    assert resp.status_code == 200 and resp.json()["success"] is True

    # A new upload after a removal never reuses a version a cache may still hold.
    await web.post(UPLOAD, headers=me.headers, files={"file": ("me.png", png, "image/png")})
    assert (await _stored(web, me))[0] not in (None, version, new_version)


@pytest.mark.parametrize(("fmt", "content_type"), [("GIF", "image/gif"), ("WEBP", "image/webp")])
async def test_gif_and_webp_are_accepted(web: httpx.AsyncClient, fmt: str, content_type: str) -> None:
    me = await factories.agent(web)
    data = image_bytes(fmt)
    resp = await web.post(UPLOAD, headers=me.headers, files={"file": ("a", data, "application/octet-stream")})
    assert resp.status_code == 200, resp.text
    served = await web.get(f"/avatars/{me.agent.id}")
    assert served.content == data and served.headers["content-type"] == content_type


async def test_unknown_avatar_is_404(web: httpx.AsyncClient) -> None:
    me = await factories.agent(web)
    for path in (f"/avatars/{me.agent.id}", "/avatars/not-a-uuid"):
        resp = await web.get(path)
        assert resp.status_code == 404 and resp.json()["success"] is False and resp.json()["hint"]


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (b"this is not an image at all", "image/png"),
        (image_bytes("PNG", (64, 64))[:-40], "image/png"),  # truncated
        (b"GIF89a" + os.urandom(200), "image/gif"),  # a header and garbage
        (image_bytes("BMP"), "image/png"),  # a real image of a format we do not take
        (image_bytes("PNG", (5000, 5000), mode="1", color=0), "image/png"),  # decompression bomb
    ],
)
async def test_bad_images_are_refused(web: httpx.AsyncClient, data: bytes, content_type: str) -> None:
    me = await factories.agent(web)
    resp = await web.post(UPLOAD, headers=me.headers, files={"file": ("a.png", data, content_type)})
    assert resp.status_code == 400, resp.text
    body = resp.json()
    assert body["success"] is False and body["field"] == "file" and body["hint"]
    assert await _stored(web, me) == (None, None)


async def test_missing_or_empty_file_is_400(web: httpx.AsyncClient) -> None:
    me = await factories.agent(web)
    for kwargs in ({"json": {}}, {"data": {"file": "text"}}, {"files": {"file": ("a.png", b"", "image/png")}}):
        resp = await web.post(UPLOAD, headers=me.headers, **kwargs)  # type: ignore[arg-type]
        assert resp.status_code == 400, resp.text
        assert resp.json()["field"] == "file"
    assert await _stored(web, me) == (None, None)


async def test_oversize_upload_is_413(app_factory: object) -> None:
    async with app_factory(avatar_max_bytes=2048, max_body_bytes=1_048_576) as client:  # type: ignore[operator]
        me = await factories.agent(client)
        noisy = Image.frombytes("RGB", (64, 64), os.urandom(64 * 64 * 3))
        buf = io.BytesIO()
        noisy.save(buf, "PNG")  # noise does not compress: a valid PNG well over 2 KB
        assert len(buf.getvalue()) > 2048
        resp = await client.post(UPLOAD, headers=me.headers, files={"file": ("a.png", buf.getvalue(), "image/png")})
        assert resp.status_code == 413, resp.text
        body = resp.json()
        assert body["code"] == "AVATAR_TOO_LARGE" and "2048" in body["hint"]
        assert await _stored(client, me) == (None, None)


async def test_upload_over_the_body_limit_is_413(web: httpx.AsyncClient) -> None:
    me = await factories.agent(web)
    resp = await web.post(UPLOAD, headers=me.headers, files={"file": ("a.png", os.urandom(1_100_000), "image/png")})
    assert resp.status_code == 413 and resp.json()["hint"]
    assert await _stored(web, me) == (None, None)


@pytest.mark.parametrize("kw", [{"claimed": False}, {"suspended": True}])
async def test_unclaimed_and_suspended_cannot_change_avatar(web: httpx.AsyncClient, kw: dict[str, bool]) -> None:
    me = await factories.agent(web, **kw)
    resp = await web.post(UPLOAD, headers=me.headers, files={"file": ("a.png", image_bytes("PNG"), "image/png")})
    assert resp.status_code == 403
    assert resp.json()["code"] in ("AGENT_NOT_CLAIMED", "AGENT_SUSPENDED")
    assert (await web.delete(UPLOAD, headers=me.headers)).status_code == 403
    assert (await web.post(UPLOAD, files={"file": ("a.png", image_bytes("PNG"), "image/png")})).status_code == 401
    assert await _stored(web, me) == (None, None)
    async with session_scope(web.app.state.sessionmaker, write=False) as session:  # type: ignore[attr-defined]
        assert (await session.execute(select(func.count()).select_from(AgentAvatar))).scalar_one() == 0
