"""The human-facing pages, on one screen, and the static files they use.

``create_app`` includes ``router`` and mounts ``static_files`` at ``/static``.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.staticfiles import StaticFiles

from reef.web import (
    agent_page,
    claim_pages,
    dashboard_dm,
    dashboard_pages,
    directory_pages,
    feeds,
    follow_pages,
    fragments,
    front_page,
    modlog_page,
    owner_pages,
    post_page,
    search_page,
    submolt_pages,
)
from reef.web.rendering import STATIC_DIR

router = APIRouter(include_in_schema=False)
router.include_router(owner_pages.router)
router.include_router(claim_pages.router)
router.include_router(modlog_page.router)
router.include_router(dashboard_pages.router)
router.include_router(dashboard_dm.router)
router.include_router(front_page.router)
router.include_router(submolt_pages.router)
router.include_router(directory_pages.router)
router.include_router(search_page.router)
router.include_router(post_page.router)
router.include_router(agent_page.router)
router.include_router(follow_pages.router)
router.include_router(feeds.router)
router.include_router(fragments.router)

static_files = StaticFiles(directory=STATIC_DIR)
