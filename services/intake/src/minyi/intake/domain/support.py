"""Citizens' support (附议, +1) and public acceptance ratings: the rules, no I/O.

A person is a phone checked by a one-time code (docs/SECURITY.md, "Citizens' support"):
intake keeps only the phone's keyed blind index, the code's keyed digest and the
supporter session token's SHA-256. The timers are wall-clock (``datetime.now``), never the
simulation clock: an accelerated clock must not shorten a code's life or a rate limit.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from minyi.platform.errors import Conflict, DomainError, NotFound

CODE_TTL = timedelta(minutes=10)
MAX_TRIES = 5
SESSION_TTL = timedelta(minutes=30)
# Per phone: one code a minute, five an hour.
RESEND_AFTER = timedelta(seconds=60)
CODES_PER_HOUR = 5
CODE_DIGITS = 6

CODE_MESSAGE = "【民意】您的验证码是 {code}，10 分钟内有效。如非本人操作请忽略。"
NOTIFICATION_KIND = "support_code"

TargetKind = Literal["appeal", "project"]
TARGET_KINDS: tuple[TargetKind, ...] = ("appeal", "project")


class TooSoon(DomainError):
    """A code was asked for too often for this phone: wait ``retry_after`` seconds."""

    status = 429

    def __init__(self, retry_after: float, message: str) -> None:
        super().__init__("rate_limited", message, field="phone")
        self.retry_after = max(1, int(retry_after + 0.999))


class CodeRefused(DomainError):
    """The code is wrong, expired or used up (one message: it tells a guesser nothing)."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__("code_invalid", message, field="code")


class SessionRequired(DomainError):
    status = 401

    def __init__(self) -> None:
        super().__init__(
            "supporter_session_required",
            "请先用手机验证码验证身份（X-Supporter-Token: missing, expired or unknown）",
        )


def new_code() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """A session token is 256 random bits: its SHA-256 is enough to store (no key needed)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def code_wait(issued: Sequence[datetime], now: datetime) -> float:
    """Seconds before another code may be sent to a phone that was sent codes at ``issued``
    (0: now). One per ``RESEND_AFTER``, ``CODES_PER_HOUR`` per rolling hour."""
    recent = sorted(t for t in issued if t > now - timedelta(hours=1))
    wait = 0.0
    if recent:
        wait = max(wait, (recent[-1] + RESEND_AFTER - now).total_seconds())
    if len(recent) >= CODES_PER_HOUR:
        wait = max(wait, (recent[-CODES_PER_HOUR] + timedelta(hours=1) - now).total_seconds())
    return max(wait, 0.0)


def too_soon(wait: float) -> TooSoon:
    seconds = max(1, int(wait + 0.999))
    return TooSoon(
        wait,
        f"获取验证码过于频繁，请 {seconds} 秒后再试（phone: at most one code a minute and "
        f"{CODES_PER_HOUR} an hour）",
    )


@dataclass(frozen=True)
class IssuedCode:
    """A code as stored: its keyed digest, never the code."""

    id: int
    digest: str
    expires_at: datetime
    tries: int
    used: bool


CheckResult = Literal["ok", "wrong", "dead"]


def check_code(code: IssuedCode | None, presented_digest: str, now: datetime) -> CheckResult:
    """``ok``: the code matches and is alive; ``wrong``: count a try; ``dead``: none alive
    (expired, used, or ``MAX_TRIES`` wrong tries)."""
    if code is None or code.used or now >= code.expires_at or code.tries >= MAX_TRIES:
        return "dead"
    if secrets.compare_digest(code.digest, presented_digest):
        return "ok"
    return "wrong"


def refused(result: CheckResult, tries: int) -> CodeRefused:
    if result == "wrong" and tries < MAX_TRIES:
        left = MAX_TRIES - tries
        return CodeRefused(f"验证码不正确，还可再试 {left} 次（code: wrong）")
    return CodeRefused("验证码已失效，请重新获取（code: expired or too many wrong tries）")


@dataclass(frozen=True)
class Target:
    """What intake knows of a public appeal or project (its replica of supervision's
    events): enough to accept support and public ratings for what is public only."""

    kind: TargetKind
    id: str
    title: str
    public: bool
    acceptance_by: str | None = None
    completed: bool = False
    accepted: bool = False

    @property
    def supportable(self) -> bool:
        return self.public and bool(self.title)

    @property
    def ratable(self) -> bool:
        """A finished project the public accepts, not yet accepted."""
        return (
            self.kind == "project"
            and self.supportable
            and self.acceptance_by == "public"
            and self.completed
            and not self.accepted
        )

    def view(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "id": self.id,
            "title": self.title if self.supportable else "",
            "supportable": self.supportable,
            "ratable": self.ratable,
        }


def unknown_target(kind: str, target_id: str) -> NotFound:
    return NotFound(
        "unknown_target",
        f"没有找到可附议的公开事项（target: no public {kind} {target_id!r}）",
        field="target_id",
    )


def already_supported() -> Conflict:
    return Conflict("already_supported", "您已附议过（already supported this target）")


def already_rated() -> Conflict:
    return Conflict("already_rated", "您已评价过该项目（already rated this project）")


def not_ratable(project_id: str) -> Conflict:
    return Conflict(
        "not_ratable",
        f"该项目当前不接受群众评价（project {project_id!r} is not open to a public vote）",
        field="project_id",
    )
