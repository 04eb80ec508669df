"""Errors of the API as RFC 9457 problem details: `application/problem+json` with type, title, status and
detail, and for invalid input an `errors` list naming each field by a JSON pointer into the request body
(or the query parameter it came in).

`type` is "about:blank" throughout: the status says what kind of problem it is, the title is the status's
name, and `detail` (in the request's language, from Accept-Language) says what to change."""

from __future__ import annotations

import json
from http import HTTPStatus

from flask import Response

PROBLEM_TYPE = "application/problem+json"


def api_json(data, status: int = 200, *, content_type: str = "application/json", headers=None) -> Response:
    """A JSON response whose text can never be read as markup: <, > and & are written as \\u escapes, so a
    name holding "<script>" stays inert even if a browser were led to render the body as HTML."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    response = Response(text, status=status, content_type=content_type, headers=headers)
    response.headers["Cache-Control"] = "no-store"
    return response


def problem(status: int, detail: str, *, errors: list[dict] | None = None, headers=None, **extra) -> Response:
    """A problem details response for `status`, with `detail` saying what went wrong and how to fix it."""
    body = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status, "detail": str(detail)}
    if errors:
        body["errors"] = [{key: str(value) for key, value in error.items()} for error in errors]
    body.update(extra)
    return api_json(body, status, content_type=PROBLEM_TYPE, headers=headers)


class ApiError(Exception):
    """Raised anywhere below a view to answer with a problem (the API blueprint's handler turns it into one)."""

    def __init__(self, status: int, detail: str, *, errors: list[dict] | None = None, headers=None):
        super().__init__(detail)
        self.status, self.detail, self.errors, self.headers = status, detail, errors, headers

    def response(self) -> Response:
        return problem(self.status, self.detail, errors=self.errors, headers=self.headers)


def invalid(errors: list[dict], detail: str) -> ApiError:
    """422 for input that breaks the rules: each error is {"pointer": "/field", "detail": "…"}."""
    return ApiError(422, detail, errors=errors)
