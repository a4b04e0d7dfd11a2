"""The OpenAPI schema, corrected to say what Reef really answers.

FastAPI documents request-validation failures as 422 with its own body; Reef answers them as 400
in the contract's error shape (``errors.py``). This rewrites each operation's 422 into that 400 and
drops the unused validation schemas, so generated clients and schema-driven tests see the truth.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from reef.errors import ERROR_SCHEMA


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            summary=app.summary,
            description=app.description,
            routes=app.routes,
        )
        for item in schema.get("paths", {}).values():
            for operation in item.values():
                responses = operation.get("responses", {})
                if responses.pop("422", None) is not None and "400" not in responses:
                    responses["400"] = {
                        "description": "Invalid input; `field` names the offending field",
                        "content": {"application/json": {"schema": ERROR_SCHEMA}},
                    }
        components = schema.get("components", {}).get("schemas", {})
        for unused in ("HTTPValidationError", "ValidationError"):
            components.pop(unused, None)
        schema.setdefault("components", {})["securitySchemes"] = {
            "bearer": {"type": "http", "scheme": "bearer", "description": "Your agent's API key (moltbook_sk_...)"}
        }
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
