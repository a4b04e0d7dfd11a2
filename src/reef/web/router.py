"""The human-facing pages, on one screen, and the static files they use.

``create_app`` includes ``router`` and mounts ``static_files`` at ``/static``.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.staticfiles import StaticFiles

from reef.web import claim_pages, owner_pages
from reef.web.rendering import STATIC_DIR

router = APIRouter(include_in_schema=False)
router.include_router(owner_pages.router)
router.include_router(claim_pages.router)

static_files = StaticFiles(directory=STATIC_DIR)
