"""Why intake refuses a request, where more than one use case says it. Each has a stable
``code``; the platform answers every ``DomainError`` in the one error shape."""

from __future__ import annotations

from minyi.platform.errors import Invalid, NotFound


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


class UnknownStation(Invalid):
    """Not in the replica of liaison's registry: unknown, closed, or not heard of yet."""

    def __init__(self, station_id: str) -> None:
        super().__init__(
            "unknown_station",
            f"联络站编号不存在或已撤销（unknown station_id {station_id!r}; "
            "see GET /v1/reference/stations）",
            field="station_id",
        )


def unknown_representative(representative_id: str, *, in_path: bool = False) -> Invalid | NotFound:
    """A deputy the replica does not list (unknown, no longer serving, or not heard of
    yet): named in a body, an invalid field; named in the URL, a resource not found."""
    refusal = NotFound if in_path else Invalid
    return refusal(
        "unknown_representative",
        f"代表编号不存在或已不在任（unknown representative_id {representative_id!r}）",
        field="representative_id",
    )
