"""The chat bot: a free-text message becomes a suggestion; it asks for the district when
none is named, tracks codes and takes ratings. Answers in Chinese."""

from __future__ import annotations

from dataclasses import dataclass

from minyi.contracts.gazetteer import Gazetteer
from minyi.contracts.reference import load_divisions
from minyi.contracts.status import label
from minyi.intake.adapters.unit_of_work import IntakeUnitOfWork
from minyi.intake.domain import chat, text
from minyi.intake.domain.status import CLOSED, REPLIED
from minyi.intake.domain.suggestion import Submission
from minyi.intake.service_layer.feedback import GiveFeedback, give_feedback
from minyi.intake.service_layer.filing import FileSuggestion, file_suggestion
from minyi.platform.errors import DomainError
from minyi.platform.pii_vault import PiiVault

AWAITING_DISTRICT = "awaiting_district"
MIN_CONTENT = 5


@dataclass(frozen=True)
class ChatMessage:
    message_id: str
    user_id: str
    text: str


@dataclass(frozen=True)
class ChatReply:
    reply: str
    tracking_code: str | None = None
    replayed: bool = False

    def as_dict(self) -> dict[str, str | None]:
        return {"reply": self.reply, "tracking_code": self.tracking_code}


def _ask_district() -> str:
    names = "、".join(d.name for d in load_divisions().values())
    return (
        f"收到您的意见。请问您反映的问题在哪个区县或乡镇街道？（如：{names}）"
        f"如同意公开您反映的内容（不含姓名、电话等个人信息），请一并写上“{chat.CONSENT_WORDS}”。"
    )


async def handle_message(
    msg: ChatMessage, uow: IntakeUnitOfWork, vault: PiiVault, gazetteer: Gazetteer
) -> ChatReply:
    """Answer one message; a replayed ``message_id`` gets the first answer again."""
    earlier = await uow.chat_messages.reply_to(msg.message_id)
    if earlier is not None:
        return ChatReply(earlier["reply"], earlier.get("tracking_code"), True)
    reply = await _answer(msg, uow, vault, gazetteer)
    await uow.chat_messages.add(msg.message_id, reply.as_dict(), uow.now())
    return reply


async def _answer(
    msg: ChatMessage, uow: IntakeUnitOfWork, vault: PiiVault, gazetteer: Gazetteer
) -> ChatReply:
    intent = chat.parse(msg.text)
    if isinstance(intent, chat.Track):
        return await _track(intent, uow)
    if isinstance(intent, chat.Rate):
        return await _rate(intent, uow)
    # The chat platform's user id is personal data too: only its keyed index is stored.
    user_ref = vault.blind_index(f"chat:{msg.user_id}")
    pending = await uow.conversations.pending_text(user_ref)
    content = f"{pending}\n{intent.text}" if pending else intent.text
    if len(content) < MIN_CONTENT:
        return ChatReply(chat.HELP)
    place = gazetteer.find_district(content)
    if place is None:
        await uow.conversations.wait_for_district(
            user_ref, AWAITING_DISTRICT, content[:5000], uow.now()
        )
        return ChatReply(_ask_district())
    await uow.conversations.forget(user_ref)
    content, consent = chat.take_consent(content)
    submission = Submission(
        title=chat.title_from(content),
        content=content[:5000],
        kind="citizen_appeal",
        channel="chat",
        district_code=place.code,
        township=place.township,
        publish_consent=consent,
    )
    filed = await file_suggestion(
        FileSuggestion(submission, citizen_ref=user_ref),
        uow,
        vault,
    )
    where = place.name + (f"{place.township}" if place.township else "")
    public = "您已同意公开反映内容（不含个人信息）。" if consent else ""
    return ChatReply(
        f"已受理您反映的{where}的问题。查询码：{filed.tracking_code}，"
        f"请妥善保存，发送“查询 {filed.tracking_code}”可查看办理进度。{public}",
        filed.tracking_code,
    )


async def _track(intent: chat.Track, uow: IntakeUnitOfWork) -> ChatReply:
    if intent.code is None:
        return ChatReply("查询码无效，请核对后重新发送，例如：查询 MY-XXXX-XXXX-XXXX-XXXX-X")
    row = await uow.suggestions.tracked_status(intent.code)
    if row is None:
        return ChatReply("未找到该查询码对应的诉求，请核对后重试。")
    parts = [f"您反映的“{row.title}”当前状态：{label(row.status)}。"]
    if row.unit_name:
        parts.append(f"承办单位：{row.unit_name}。")
    if row.reply and row.status in (REPLIED, CLOSED):
        parts.append(f"答复：{row.reply}")
    if row.status == REPLIED:
        parts.append("发送“评价 查询码 满意/不满意”评价答复。")
    return ChatReply("".join(parts))


async def _rate(intent: chat.Rate, uow: IntakeUnitOfWork) -> ChatReply:
    if intent.code is None:
        return ChatReply("查询码无效，请核对后重新发送，例如：评价 MY-XXXX-XXXX-XXXX-XXXX-X 满意")
    comment = text.clean_text(intent.comment)[:500] if intent.comment else None
    try:
        await give_feedback(
            GiveFeedback(intent.code, intent.satisfied, comment=comment, channel="chat"), uow
        )
    except DomainError as exc:
        return ChatReply(exc.message.split("（")[0] + "。")
    return ChatReply(
        "感谢您的评价！" + ("" if intent.satisfied else "我们将督促承办单位重新办理。")
    )
