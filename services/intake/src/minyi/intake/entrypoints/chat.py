"""Chat platform webhook: signed JSON messages in, a Chinese reply out.

A replayed ``message_id`` (the platform retrying after a lost answer) gets 200 with the
first reply again, and nothing is filed twice: the platform needs a reply either way.
"""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import ValidationError

from minyi.intake.domain import signature
from minyi.intake.entrypoints.guard import JsonRoute, validation_details
from minyi.intake.entrypoints.schemas import ChatIn
from minyi.intake.service_layer.chat import ChatMessage, handle_message
from minyi.platform.auth import public
from minyi.platform.service import Runtime

router = APIRouter(
    prefix="/v1/channels/chat",
    tags=["channels"],
    route_class=JsonRoute,
    dependencies=[Depends(public("chat platform webhook: HMAC-SHA256 signature checked"))],
)


@router.post("/webhook", summary="Chat messages, signed with HMAC-SHA256")
async def chat_webhook(request: Request) -> dict[str, Any]:
    runtime: Runtime = request.app.state.runtime
    raw = await request.body()
    problem = signature.check(
        runtime.extras["chat_secret"],
        request.headers.get("X-Minyi-Timestamp"),
        request.headers.get("X-Minyi-Signature"),
        raw,
        now=time.time(),
        max_skew=runtime.extras["intake_settings"].chat_max_skew_seconds,
    )
    if problem is not None:
        raise HTTPException(401, detail=f"{problem.value}（signature: {problem.name.lower()}）")
    try:
        msg = ChatIn.model_validate_json(raw)
    except ValidationError as exc:
        raise HTTPException(422, detail=validation_details(exc)) from None
    async with runtime.unit_of_work() as uow:
        reply = await handle_message(
            ChatMessage(msg.message_id, msg.user_id, msg.text),
            uow,
            runtime.extras["vault"],
            runtime.extras["gazetteer"],
        )
    return {
        "message_id": msg.message_id,
        "reply": reply.reply,
        "tracking_code": reply.tracking_code,
        "replayed": reply.replayed,
    }
