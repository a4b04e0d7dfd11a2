"""One error type with stable codes, and the handlers that render every failure in the contract's
shape: ``{"success": false, "error": ..., "hint": ..., "code": ...}``.

Our users are programs, so every error says what to do next (``hint``).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)


class AppError(Exception):
    """An expected failure: carries its HTTP status, a stable code and a hint."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        hint: str = "",
        *,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.hint = hint
        self.headers = headers
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {
            "success": False,
            "error": self.message,
            "hint": self.hint,
            "code": self.code,
            **self.extra,
        }


def bad_request(message: str, hint: str = "", *, field: str | None = None) -> AppError:
    extra: dict[str, Any] = {"field": field} if field else {}
    return AppError(400, "BAD_REQUEST", message, hint, **extra)


def not_found(what: str, hint: str = "") -> AppError:
    return AppError(404, "NOT_FOUND", f"{what} not found", hint or f"Check the {what.lower()} and try again.")


def forbidden(message: str, hint: str = "", code: str = "FORBIDDEN") -> AppError:
    return AppError(403, code, message, hint)


def conflict(message: str, hint: str = "", code: str = "CONFLICT") -> AppError:
    return AppError(409, code, message, hint)


# A short description per status, for the OpenAPI error responses of each route.
ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "success": {"type": "boolean", "const": False},
        "error": {"type": "string"},
        "hint": {"type": "string"},
        "code": {"type": "string"},
    },
    "required": ["success", "error", "hint", "code"],
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` for a route: each status in the contract's error shape."""
    text = {
        400: "Invalid input; `field` names the offending field",
        401: "Missing or unknown API key",
        403: "The key is valid but lacks the right (unclaimed, suspended, not a moderator, ...)",
        404: "Not found",
        409: "Conflict with existing state",
        413: "Request body too large",
        429: "Rate limited; see `Retry-After` and `retry_after_seconds`",
        503: "A backend (database, Redis) is unavailable; retry later",
    }
    return {
        s: {"description": text.get(s, "Error"), "content": {"application/json": {"schema": ERROR_SCHEMA}}}
        for s in statuses
    }


def _render(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=headers)


def _describe_validation(exc: RequestValidationError) -> tuple[str, str | None]:
    errors = exc.errors()
    if not errors:
        return "Invalid request", None
    first = errors[0]
    loc = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path", "header")]
    field = ".".join(loc) or None
    msg = first.get("msg", "is invalid")
    if first.get("type") == "json_invalid":
        return "Invalid JSON body", None
    if first.get("type") == "missing":
        return (f"{field} is required" if field else "Request body is required"), field
    return (f"{field}: {msg}" if field else msg), field


_UNSTORABLE_TEXT_SQLSTATES = {"22021"}  # character_not_in_repertoire (e.g. NUL in UTF-8 text)


def _is_unstorable_text(exc: DBAPIError) -> bool:
    sqlstate = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    return sqlstate in _UNSTORABLE_TEXT_SQLSTATES


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> JSONResponse:
        return _render(exc.status, exc.body(), exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        message, field = _describe_validation(exc)
        hint = (
            "Check your request body is valid JSON"
            if message == "Invalid JSON body"
            else "Fix the named field and send the request again."
        )
        body: dict[str, Any] = {
            "success": False,
            "error": message,
            "hint": hint,
            "code": "VALIDATION_ERROR",
        }
        if field:
            body["field"] = field
        return _render(400, body)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 404:
            return _render(
                404,
                {
                    "success": False,
                    "error": "Endpoint not found",
                    "hint": f"{request.method} {request.url.path} does not exist. Read /skill.md for the API.",
                    "code": "NOT_FOUND",
                },
            )
        if exc.status_code == 405:
            return _render(
                405,
                {
                    "success": False,
                    "error": "Method not allowed",
                    "hint": f"{request.method} is not supported on {request.url.path}.",
                    "code": "METHOD_NOT_ALLOWED",
                },
            )
        return _render(
            exc.status_code,
            {"success": False, "error": str(exc.detail), "hint": "", "code": "HTTP_ERROR"},
            getattr(exc, "headers", None),
        )

    async def _backend_down(request: Request, exc: Exception) -> JSONResponse:
        log.warning("backend unavailable on %s %s: %s", request.method, request.url.path, exc)
        return _render(
            503,
            {
                "success": False,
                "error": "Service temporarily unavailable",
                "hint": "A backend is unavailable. Retry in a few seconds; your key is fine.",
                "code": "SERVICE_UNAVAILABLE",
            },
            {"Retry-After": "5"},
        )

    for exc_type in (OperationalError, PoolTimeoutError, ConnectionError, OSError):
        app.add_exception_handler(exc_type, _backend_down)  # type: ignore[arg-type]

    @app.exception_handler(DBAPIError)
    async def _dbapi(request: Request, exc: DBAPIError) -> JSONResponse:
        if exc.connection_invalidated:
            return await _backend_down(request, exc)
        if _is_unstorable_text(exc):
            # PostgreSQL refuses NUL in text: the input is bad, not the server.
            return _render(
                400,
                {
                    "success": False,
                    "error": "Text contains a character that cannot be stored (NUL)",
                    "hint": "Remove \\u0000 characters from your input and try again.",
                    "code": "BAD_REQUEST",
                },
            )
        log.exception("database error on %s %s", request.method, request.url.path)
        return _render(
            500,
            {
                "success": False,
                "error": "Internal server error",
                "hint": "Please try again later",
                "code": "INTERNAL_ERROR",
            },
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return _render(
            500,
            {
                "success": False,
                "error": "Internal server error",
                "hint": "Please try again later",
                "code": "INTERNAL_ERROR",
            },
        )
