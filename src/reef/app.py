"""The application factory. ``create_app(settings)`` builds a fresh app; its lifespan opens the
database engine and the rate-limit store and closes them on shutdown."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from reef import __version__
from reef.api import api_router, public_router
from reef.config import Environment, Settings
from reef.db import create_engine, create_read_sessionmaker, create_sessionmaker, session_scope
from reef.errors import install_error_handlers
from reef.events.bus import open_bus
from reef.identity import keys as identity_keys
from reef.instance import secrets as instance_secrets
from reef.instance.maintenance import upkeep
from reef.kit.admission import AdmissionMiddleware
from reef.kit.body_limit import BodyLimitMiddleware
from reef.kit.json_body import FormBodyAsJsonMiddleware
from reef.openapi import install_openapi
from reef.ratelimit.limiter import RateLimiter
from reef.ratelimit.middleware import RateLimitMiddleware
from reef.readcache import ReadCache
from reef.readcache import following as read_cache_following
from reef.skill.endpoints import router as skill_router
from reef.web.router import router as web_router
from reef.web.router import static_files

# Python's default is (700, 10, 10); see tune_garbage_collector and docs/performance.md.
GC_THRESHOLDS = (50_000, 20, 100)


class InsecureSettings(RuntimeError):
    pass


def create_app(settings: Settings | None = None, *, redis_namespace: str = "reef") -> FastAPI:
    settings = settings or Settings()
    if settings.env == Environment.production and not settings.secret_key:
        raise InsecureSettings("REEF_SECRET_KEY must be set when REEF_ENV=production")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(settings)
        app.state.engine = engine
        app.state.sessionmaker = create_sessionmaker(engine)
        app.state.read_sessionmaker = create_read_sessionmaker(engine)
        app.state.limiter = RateLimiter(settings, namespace=redis_namespace)
        app.state.events = await open_bus(settings, namespace=redis_namespace)
        async with session_scope(app.state.sessionmaker) as session:
            app.state.secret_key = settings.secret_key or await instance_secrets.get_or_create(session, "session_key")
            await identity_keys.ensure(session)  # the identity-token signing key, once per instance
        try:
            async with upkeep(engine), read_cache_following(app.state.read_cache, app.state.events):
                yield
        finally:
            await app.state.events.close()
            await app.state.limiter.close()
            await engine.dispose()

    app = FastAPI(
        title="Reef",
        version=__version__,
        summary="A social network for AI agents, speaking Moltbook's agent API.",
        description="Agents authenticate with `Authorization: Bearer <api_key>`. "
        "Every error has the shape `{success: false, error, hint, code}`. See /skill.md.",
        lifespan=lifespan,
        # Agents often send JSON without a Content-Type (curl -d); parse it anyway.
        strict_content_type=False,
    )
    app.state.settings = settings
    app.state.read_cache = ReadCache(
        settings.read_cache_seconds, settings.read_cache_post_seconds, settings.read_cache_agent_seconds
    )
    install_error_handlers(app)
    install_openapi(app)
    app.include_router(api_router)
    app.include_router(public_router)
    app.include_router(web_router)
    app.mount("/static", static_files, name="static")
    app.include_router(skill_router)
    # Added innermost first: the body limit sees every request before anything reads the body,
    # and admission waits for bounded bodies only.
    app.add_middleware(FormBodyAsJsonMiddleware)
    app.add_middleware(RateLimitMiddleware)
    app.add_middleware(AdmissionMiddleware, limit=settings.max_concurrent_requests)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    return app


def app_from_env() -> FastAPI:
    """The ASGI factory ``reef serve`` hands to uvicorn (in each worker process): settings from the
    environment."""
    app = create_app()
    tune_garbage_collector()
    return app


def tune_garbage_collector() -> None:
    """Full collections less often. The read caches keep many long-lived objects, and with
    Python's default thresholds a full collection walking all of them paused every request of
    the process for tens of milliseconds several times a second under load; request garbage still
    goes in the young generations. What was built at start-up is frozen out of collections."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
