"""Chat platform webhook: signed JSON messages in, a Chinese reply out.

A replayed ``message_id`` (the platform retrying after a lost answer) gets 200 with the
first reply again, and nothing is filed twice: the platform needs a reply either way.
"""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from minyi.intake.domain import signature
from minyi.intake.entrypoints.dependencies import Deps, Rt
from minyi.intake.entrypoints.guard import JsonRoute
from minyi.intake.entrypoints.schemas import ChatIn
from minyi.intake.service_layer.chat import ChatMessage, handle_message
from minyi.platform.auth import public

router = APIRouter(
    prefix="/v1/channels/chat",
    tags=["channels"],
    route_class=JsonRoute,
    dependencies=[Depends(public("chat platform webhook: HMAC-SHA256 signature checked"))],
)


async def _signed_message(request: Request, deps: Deps) -> ChatMessage:
    """The message, once its signature is checked (over the raw body, before parsing)."""
    raw = await request.body()
    problem = signature.check(
        deps.chat_secret,
        request.headers.get("X-Minyi-Timestamp"),
        request.headers.get("X-Minyi-Signature"),
        raw,
        now=time.time(),
        max_skew=deps.settings.chat_max_skew_seconds,
    )
    if problem is not None:
        name = problem.name.lower()
        message = f"{problem.value}（signature: {name}）"
        raise HTTPException(401, detail={"code": f"signature_{name}", "message": message})
    try:
        msg = ChatIn.model_validate_json(raw)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False, include_input=False)) from None
    return ChatMessage(msg.message_id, msg.user_id, msg.text)


SignedMessage = Annotated[ChatMessage, Depends(_signed_message)]


@router.post("/webhook", summary="Chat messages, signed with HMAC-SHA256")
async def chat_webhook(msg: SignedMessage, runtime: Rt) -> dict[str, Any]:
    async with runtime.unit_of_work() as uow:
        reply = await handle_message(msg, uow, runtime.deps.vault, runtime.deps.places.base)
    return {
        "message_id": msg.message_id,
        "reply": reply.reply,
        "tracking_code": reply.tracking_code,
        "replayed": reply.replayed,
    }
