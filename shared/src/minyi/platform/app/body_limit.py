"""The app-wide request body limit (413), checked once per request.

FastAPI's ``max_body_size`` on the app wraps the app, every included router and every route
in a limiter of its own, each with its own receive and send wrappers: three per request,
≈ 3 % of intake's CPU at full load (py-spy, 2026-12-06). This middleware does the same job
once, and not at all for the usual request whose declared Content-Length is within the limit
(the server reads no more than it declares). A route's own ``max_body_size`` (larger
uploads) still wins: FastAPI wraps that route alone and puts its limit in the scope, which
the check below reads when the body is read.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.middleware.body_limit import MAX_BODY_SIZE_SCOPE_KEY
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from minyi.platform.app.errors import error_response, problem


def body_too_large() -> HTTPException:
    # Raised while the endpoint reads its body: the app's handlers answer in the one shape.
    return HTTPException(413, detail="Content Too Large")


class BodyLimit:
    def __init__(self, app: ASGIApp, max_body_size: int) -> None:
        self.app = app
        self.max_body_size = max_body_size

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared: int | None = None
        for name, value in scope["headers"]:
            if name == b"content-length":
                declared = int(value) if value.isdigit() else None
                break
        if declared is not None and declared <= self.max_body_size:
            await self.app(scope, receive, send)
            return
        await self.app(
            scope, self._counting(scope, receive, declared), self._refusing(scope, send, declared)
        )

    def _limit(self, scope: Scope) -> int:
        """The limit in force: the route's own if it declared one, else the app's."""
        limit: int = scope.get(MAX_BODY_SIZE_SCOPE_KEY, self.max_body_size)
        return limit

    def _counting(self, scope: Scope, receive: Receive, declared: int | None) -> Receive:
        """``receive`` refusing a body past the limit when it is read."""
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            limit = self._limit(scope)
            if declared is not None and declared > limit:
                raise body_too_large()
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise body_too_large()
            return message

        return counted

    def _refusing(self, scope: Scope, send: Send, declared: int | None) -> Send:
        """``send`` answering 413 in place of the response of an endpoint that never read
        a body declared past the limit (one that read it was refused while reading)."""
        refused = False

        async def checked(message: Message) -> None:
            nonlocal refused
            if message["type"] == "http.response.start":
                refused = declared is not None and declared > self._limit(scope)
                if refused:
                    answer = error_response(413, [problem("body_too_large", "Content Too Large")])
                    await answer(scope, _empty, send)
                    return
            if not refused:
                await send(message)

        return checked


async def _empty() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}
