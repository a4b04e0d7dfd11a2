"""Guard: the OpenAPI schema documents every route with its error responses, truthfully."""

from __future__ import annotations

import httpx


async def test_openapi_is_served_and_documents_every_api_route(client: httpx.AsyncClient) -> None:
    resp = await client.get("/openapi.json")
    assert resp.status_code == 200
    schema = resp.json()
    assert (await client.get("/docs")).status_code == 200
    problems = []
    for path, item in schema["paths"].items():
        if not path.startswith("/api/v1/"):
            continue
        for method, op in item.items():
            where = f"{method.upper()} {path}"
            responses = op.get("responses", {})
            if "422" in responses:
                problems.append(f"{where}: documents 422, but Reef answers validation errors with 400")
            errors = [code for code in responses if code.startswith(("4", "5"))]
            if not errors:
                problems.append(f"{where}: documents no error responses")
            for code in errors:
                body = responses[code].get("content", {}).get("application/json", {}).get("schema", {})
                props = body.get("properties", {})
                if not {"success", "error", "hint"} <= set(props) and "$ref" not in body:
                    problems.append(f"{where}: {code} is not in the contract's error shape")
            if not any(code.startswith("2") for code in responses):
                problems.append(f"{where}: documents no success response")
            has_input = op.get("parameters") or op.get("requestBody")
            if has_input and "400" not in responses:
                problems.append(f"{where}: takes input but documents no 400")
    assert not problems, "\n".join(problems)


async def test_write_routes_document_auth_errors(client: httpx.AsyncClient) -> None:
    schema = client.app.openapi()  # type: ignore[attr-defined]
    missing = []
    for path, item in schema["paths"].items():
        for method, op in item.items():
            if not path.startswith("/api/v1/") or method not in ("post", "patch", "put", "delete"):
                continue
            if path == "/api/v1/agents/register":
                continue
            if not {"401", "403"} <= set(op["responses"]):
                missing.append(f"{method.upper()} {path}")
    assert not missing, missing
