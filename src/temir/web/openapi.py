"""The OpenAPI contract as clients need it: auth schemes, error answers, bodies, media types.

Why post-process FastAPI's schema in one place: the routes read raw bodies (notes, event
batches) so that bad input becomes rule issues rather than a framework 422, and every error is
the one shape ``{"error": {"code", "message", "field"}}`` — neither is visible to FastAPI's
generator. Declaring them here keeps the contract true for every route at once, and a contract
test (schemathesis) holds the application to it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from temir.kit.cookies import SESSION_COOKIE

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "field"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "field": {"type": ["string", "null"]},
            },
        }
    },
}
ERRORS = {
    "400": "The request cannot be carried out as it is.",
    "401": "Not logged in, or the token is unknown, expired or revoked.",
    "403": "The caller may not do this.",
    "404": "No such record (or not one the caller may see).",
    "409": "Conflicts with the record's state (or an Idempotency-Key still running).",
    "422": "Input broke a rule; the error names the field or box.",
    "429": "Too many attempts; see Retry-After.",
}
SECURITY_SCHEMES = {
    "bearerToken": {"type": "http", "scheme": "bearer", "description": "An API token."},
    "sessionCookie": {"type": "apiKey", "in": "cookie", "name": SESSION_COOKIE},
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BINARY = {"type": "string", "format": "binary"}

#: A request body a route reads itself: (method, path) → (media types, schema).
Bodies = Mapping[tuple[str, str], tuple[tuple[str, ...], dict[str, Any]]]


def _calls(dependant: Dependant) -> set[str]:
    names = {getattr(dependant.call, "__name__", "")}
    for sub in dependant.dependencies:
        names |= _calls(sub)
    return names


def _api_routes(app: FastAPI) -> list[tuple[str, APIRoute]]:
    """Every API route with its full path (routers included with a prefix are walked)."""
    from fastapi import routing

    out = []
    for context in routing.iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and context.path_format:
            out.append((context.path_format, route))
    return out


def _file_type(path: str) -> str | None:
    if path.endswith((".pdf", "/pdf")):
        return "application/pdf"
    if path.endswith(".xlsx"):
        return XLSX
    if path.endswith("/xml"):
        return "application/xml"
    return None


def install(app: FastAPI, bodies: Bodies, schemas: Mapping[str, dict[str, Any]]) -> None:
    """Serve the amended contract at ``app.openapi_url``; ``schemas`` join the components."""
    actors: dict[tuple[str, str], str] = {}
    for path, route in _api_routes(app):
        calls = _calls(route.dependant)
        kind = "required" if "current_actor" in calls else "optional"
        if "optional_actor" in calls:
            for method in route.methods or ():
                actors[(method.lower(), path)] = kind

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        components = schema.setdefault("components", {})
        found = components.setdefault("schemas", {})
        for name in ("HTTPValidationError", "ValidationError"):
            found.pop(name, None)
        found.update(schemas)
        found["Error"] = ERROR_SCHEMA
        components["securitySchemes"] = SECURITY_SCHEMES
        for path, operations in schema["paths"].items():
            for method, operation in operations.items():
                _amend(operation, method, path, actors.get((method, path)), bodies)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _amend(
    operation: dict[str, Any], method: str, path: str, actor: str | None, bodies: Bodies
) -> None:
    responses = operation.setdefault("responses", {})
    ref = {"$ref": "#/components/schemas/Error"}
    for code, text in ERRORS.items():
        responses[code] = {"description": text, "content": {"application/json": {"schema": ref}}}
    if actor is not None:
        auth: list[dict[str, list[str]]] = [{"bearerToken": []}, {"sessionCookie": []}]
        operation["security"] = auth if actor == "required" else [{}, *auth]
    media = _file_type(path)
    if media is not None:
        for answer in responses.values():
            if answer is not responses.get("200"):
                continue
            answer["content"] = {media: {"schema": BINARY}}
    body = bodies.get((method, path))
    if body is not None:
        media_types, body_schema = body
        operation["requestBody"] = {
            "required": True,
            "content": {media: {"schema": body_schema} for media in media_types},
        }


def component_schemas(prefix: str, make: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
    """A pydantic model's JSON Schema as components named ``prefix`` + model name: ``make`` is
    the model's ``model_json_schema`` taking a ref template."""
    schema = make(f"#/components/schemas/{prefix}{{model}}")
    defs = schema.pop("$defs", {})
    out = {f"{prefix}{name}": value for name, value in defs.items()}
    out[prefix.rstrip("_") or "Model"] = schema
    return out
