"""Why intake refuses a request, where more than one use case says it. Each has a stable
``code``; the platform answers every ``DomainError`` in the one error shape."""

from __future__ import annotations

from minyi.platform.errors import NotFound


class InvalidTrackingCode(NotFound):
    def __init__(self) -> None:
        super().__init__(
            "invalid_tracking_code", "查询码无效，请核对后重试（invalid tracking code）"
        )


class UnknownTrackingCode(NotFound):
    def __init__(self) -> None:
        super().__init__(
            "suggestion_not_found", "未找到该查询码对应的诉求（no suggestion with this code）"
        )


class UnknownSuggestion(NotFound):
    def __init__(self) -> None:
        super().__init__("suggestion_not_found", "未找到该诉求（no suggestion with this id）")
