"""Why routing refuses a request (codes are stable; ``minyi.platform.app.errors`` answers
each with its status and the one error body)."""

from __future__ import annotations

from minyi.platform.errors import Conflict, Invalid, NotFound


class AssignmentNotFound(NotFound):
    """No assignment, or one outside the caller's scope: the answer is the same, so it
    tells nothing about other units' or districts' cases."""

    def __init__(self, suggestion_id: str) -> None:
        super().__init__("assignment_not_found", f"没有建议 {suggestion_id} 的分办记录")


class NotInTriage(Conflict):
    def __init__(self, suggestion_id: str, status: str) -> None:
        super().__init__(
            "not_in_triage", f"建议 {suggestion_id} 不在人工分办队列中（状态：{status}）"
        )


class UnknownDistrict(Invalid):
    def __init__(self, district_code: str) -> None:
        super().__init__(
            "unknown_district", f"未知行政区划代码 {district_code}", field="district_code"
        )


class ModelRejected(Conflict):
    """The stored model cannot serve: an unreadable file, or categories the taxonomy lacks."""

    def __init__(self, message: str) -> None:
        super().__init__("model_rejected", message)


class FormalNotFound(NotFound):
    """No formal suggestion of that id in the 交办 queue's store."""

    def __init__(self, suggestion_id: str) -> None:
        super().__init__("formal_not_found", f"没有代表建议 {suggestion_id} 的交办记录")


class NotWaitingForAssignment(Conflict):
    def __init__(self, suggestion_id: str) -> None:
        super().__init__(
            "not_waiting_for_assignment",
            f"代表建议 {suggestion_id} 已交办，不在待交办队列中（单位退回后才能重新交办）",
        )
