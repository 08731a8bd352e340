"""Error answers as `application/problem+json` (RFC 9457)."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

PROBLEM = "application/problem+json"


class Problem(HTTPException):
    """An error answer: an HTTP status, a short title and what to do. An HTTPException,
    so that FastAPI passes one raised while it reads a body (the body limit's 413) on
    as it is, rather than as a 400 "error parsing the body"."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        headers: dict[str, str] | None = None,
        *,
        field: str | None = None,
    ) -> None:
        super().__init__(status, detail, headers or {})
        self.status, self.title = status, title
        self.field = field
        """With 422: the field of the request that is wrong, when one is."""
        self.detail: str = detail
        self.headers: dict[str, str] = headers or {}

    def __str__(self) -> str:
        return self.detail


def problem_response(
    status: int, title: str, detail: str, headers: dict[str, str] | None = None, **more: Any
) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **more}
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


class ProblemBody(BaseModel):
    """An error answer (RFC 9457)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    current: dict[str, Any] | None = None
    """With 409: the ticket as it is now (or the customer's record, with current_kind)."""
    current_kind: str | None = None
    """With 409 on a customer's record: "customer" (absent for a ticket)."""
    field: str | None = None
    """With 422, when one field of the request is wrong: which."""


ANSWERS: dict[int | str, dict[str, Any]] = {
    status: {"model": ProblemBody, "content": {PROBLEM: {}}, "description": description}
    for status, description in {
        400: "a bad search or header",
        401: "no token, or not a live one",
        403: "not allowed to this token",
        404: "no such thing",
        409: "changed meanwhile: `current` is the ticket (or customer's record) as it is",
        413: "body too large",
        422: "invalid input; `detail` says where",
        429: "too many wrong tokens; see Retry-After",
        503: "the store cannot be reached",
    }.items()
}
"""The error answers any operation may give, for the API document."""
