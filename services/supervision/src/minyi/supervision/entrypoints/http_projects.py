"""The HTTP API of improvement projects (改善项目) and published recurring appeals.

Access: ``admin`` (the congress office) registers and edits projects and publishes
appeals; ``unit_staff`` of a responsible unit reports progress, delivers milestones and
(the lead unit) reports done, and sees only its own projects; ``supervisor`` (supervision
groups) and ``representative`` (deputies) see every project and inspect; an inspecting
deputy rates the finished project. Evidence files are served only as attachments.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Path, Query, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from minyi.platform import errors
from minyi.platform.auth import Role
from minyi.supervision.adapters.evidence_store import EvidenceStore, new_file_id
from minyi.supervision.dependencies import SupervisionRuntime
from minyi.supervision.domain.evidence import (
    MAX_FILE_BYTES,
    MAX_FILES,
    Upload,
    check_uploads,
    safe_name,
)
from minyi.supervision.domain.project import Links, MilestoneInput
from minyi.supervision.entrypoints.dependencies import AdminCaller, Deps, Rt, caller
from minyi.supervision.service_layer import projects as pc
from minyi.supervision.service_layer.commands import Actor

router = APIRouter(prefix="/v1", tags=["projects"])

# Who may read projects: the office (admin, always), supervision groups, deputies, units.
Viewer = Annotated[Actor, Depends(caller(Role.UNIT_STAFF, Role.SUPERVISOR, Role.REPRESENTATIVE))]
Unit = Annotated[Actor, Depends(caller(Role.UNIT_STAFF))]
Inspector = Annotated[Actor, Depends(caller(Role.SUPERVISOR, Role.REPRESENTATIVE))]
Deputy = Annotated[Actor, Depends(caller(Role.REPRESENTATIVE))]
Supervisor = Annotated[Actor, Depends(caller(Role.SUPERVISOR))]
ProjectId = Annotated[str, Path(max_length=40, pattern=r"^[A-Za-z0-9_-]+$")]
ItemId = Annotated[str, Path(max_length=40, pattern=r"^[A-Za-z0-9_-]+$")]

EVIDENCE_DIR = "project-evidence"


class MilestoneBody(BaseModel):
    title: str = Field(min_length=1, max_length=200, description="里程碑名称")
    due_on: date = Field(description="计划完成日期（北京时间），须在项目起止日期之间")
    deliverable: str = Field(default="", max_length=1_000, description="交付成果")


class MilestoneEditBody(MilestoneBody):
    milestone_id: str | None = Field(
        default=None, max_length=10, description="已有里程碑的编号（如 m2）；缺省为新增"
    )


class LinksBody(BaseModel):
    suggestion_ids: list[str] = Field(default_factory=list, max_length=200)
    cluster_ids: list[str] = Field(default_factory=list, max_length=200)
    commitment_ids: list[str] = Field(default_factory=list, max_length=200)

    def links(self) -> Links:
        return Links(list(self.suggestion_ids), list(self.cluster_ids), list(self.commitment_ids))


class ProjectBody(BaseModel):
    name: str = Field(min_length=1, max_length=200, description="项目名称")
    focus_area: str = Field(description="重点领域（七个之一）")
    division_codes: list[str] = Field(min_length=1, max_length=20, description="涉及的行政区划")
    unit_ids: list[str] = Field(min_length=1, max_length=10, description="责任单位，牵头单位在前")
    budget_yuan: int | None = Field(default=None, ge=0, description="预算（元）")
    starts_on: date = Field(description="开始日期")
    ends_on: date = Field(description="结束日期")
    summary: str = Field(default="", max_length=5_000, description="项目简介")
    acceptance_by: Literal["inspectors", "public"] = Field(
        default="inspectors", description="inspectors 视察代表评价验收, public 公众评议"
    )
    milestones: list[MilestoneBody] = Field(description="里程碑（1 至 20 个）", max_length=20)
    links: LinksBody | None = None


class ProjectPatch(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    focus_area: str | None = None
    division_codes: list[str] | None = Field(default=None, min_length=1, max_length=20)
    unit_ids: list[str] | None = Field(default=None, min_length=1, max_length=10)
    budget_yuan: int | None = Field(default=None, ge=0)
    starts_on: date | None = None
    ends_on: date | None = None
    summary: str | None = Field(default=None, max_length=5_000)
    acceptance_by: Literal["inspectors", "public"] | None = None
    milestones: list[MilestoneEditBody] | None = Field(default=None, max_length=20)
    links: LinksBody | None = None


class NoteBody(BaseModel):
    note: str = Field(default="", max_length=2_000, description="说明")


class CommitmentBody(BaseModel):
    unit_id: str = Field(min_length=1, max_length=64, description="承诺事项的责任单位")
    due_on: date = Field(description="承诺完成日期")


class FindingBody(BaseModel):
    text: str = Field(min_length=1, max_length=2_000, description="视察意见")
    commitment: CommitmentBody | None = Field(default=None, description="转为承诺事项（督办跟踪）")


class InspectionBody(BaseModel):
    held_on: date = Field(description="视察日期")
    inspector_kind: Literal["deputies", "supervision_group"] = Field(
        description="deputies 代表视察, supervision_group 督导组视察"
    )
    deputy_ids: list[str] = Field(default_factory=list, max_length=100)
    group_id: str | None = Field(default=None, max_length=40)
    findings: list[FindingBody] = Field(min_length=1, max_length=50)


class RatingBody(BaseModel):
    rating: Literal["satisfied", "basically_satisfied", "unsatisfied"] = Field(
        description="satisfied 满意, basically_satisfied 基本满意, unsatisfied 不满意"
    )


class AppealBody(BaseModel):
    cluster_id: str = Field(min_length=1, max_length=80, description="诉求聚类编号")
    title: str = Field(min_length=1, max_length=200, description="公开标题（由办公室撰写）")
    summary: str = Field(default="", max_length=2_000, description="公开摘要")
    division_codes: list[str] | None = Field(default=None, max_length=20)
    focus_area: str | None = None
    public: bool = Field(default=True, description="false 撤回公开")


def _store(runtime: SupervisionRuntime) -> EvidenceStore:
    return EvidenceStore(runtime.settings.data_dir / EVIDENCE_DIR)


@router.post("/projects", summary="Register a project (ProjectRegistered)", status_code=201)
async def register(body: ProjectBody, runtime: Rt, deps: Deps, who: AdminCaller) -> Any:
    cmd = pc.RegisterProject(
        name=body.name,
        focus_area=body.focus_area,
        division_codes=list(body.division_codes),
        unit_ids=list(body.unit_ids),
        starts_on=body.starts_on,
        ends_on=body.ends_on,
        milestones=[MilestoneInput(m.title, m.due_on, m.deliverable) for m in body.milestones],
        budget_yuan=body.budget_yuan,
        summary=body.summary,
        acceptance_by=body.acceptance_by,
        links=body.links.links() if body.links else Links(),
    )
    async with runtime.unit_of_work() as uow:
        return await pc.register_project(cmd, who, uow, deps.rules)


@router.get("/projects", summary="Projects (a unit: its own), with filters")
async def list_projects(
    runtime: Rt,
    deps: Deps,
    who: Viewer,
    unit_id: Annotated[str | None, Query(max_length=64)] = None,
    status: Literal["on_plan", "late", "very_late", "completed", "accepted"] | None = None,
    division_code: Annotated[str | None, Query(max_length=20)] = None,
    focus_area: Annotated[str | None, Query(max_length=40)] = None,
) -> Any:
    async with runtime.unit_of_work() as uow:
        items = await pc.list_projects(
            who,
            uow,
            deps.rules,
            unit_id=unit_id,
            status=status,
            division_code=division_code,
            focus_area=focus_area,
        )
    return {"projects": items}


@router.get("/projects/{project_id}", summary="A project with milestones, progress, timeline")
async def get_project(project_id: ProjectId, runtime: Rt, deps: Deps, who: Viewer) -> Any:
    async with runtime.unit_of_work() as uow:
        return await pc.get_project(project_id, who, uow, deps.rules)


@router.patch("/projects/{project_id}", summary="Edit a project (ProjectUpdated)")
async def patch_project(
    project_id: ProjectId, body: ProjectPatch, runtime: Rt, deps: Deps, who: AdminCaller
) -> Any:
    cmd = pc.UpdateProject(
        name=body.name,
        focus_area=body.focus_area,
        division_codes=body.division_codes,
        unit_ids=body.unit_ids,
        budget_yuan=body.budget_yuan,
        budget_given="budget_yuan" in body.model_fields_set,
        starts_on=body.starts_on,
        ends_on=body.ends_on,
        summary=body.summary,
        acceptance_by=body.acceptance_by,
        milestones=None
        if body.milestones is None
        else [
            pc.MilestoneEdit(m.title, m.due_on, m.deliverable, m.milestone_id)
            for m in body.milestones
        ],
        links=body.links.links() if body.links else None,
    )
    async with runtime.unit_of_work() as uow:
        return await pc.update_project(project_id, cmd, who, uow, deps.rules)


# Five files of 5 MiB and the form around them: above the platform's 1 MiB default for
# every other body (a more specific limit overrides the app's).
PROGRESS_MAX_BODY = MAX_FILES * MAX_FILE_BYTES + 256 * 1024


@router.post(
    "/projects/{project_id}/progress",
    summary="A responsible unit reports progress, with evidence files (multipart)",
    status_code=201,
    max_body_size=PROGRESS_MAX_BODY,
)
async def report_progress(
    project_id: ProjectId,
    runtime: Rt,
    deps: Deps,
    who: Unit,
    percent: Annotated[int, Form(ge=0, le=100, description="完成比例（0 至 100）")],
    note: Annotated[str, Form(min_length=1, max_length=2_000, description="进展说明")],
    files: Annotated[list[UploadFile] | None, File(description="佐证材料（至多 5 个）")] = None,
) -> Any:
    uploads = []
    for f in (files or [])[: MAX_FILES + 1]:
        # One byte past the limit is enough to refuse: never read a huge upload whole.
        uploads.append(Upload(f.filename or "", await f.read(MAX_FILE_BYTES + 1)))
    if files and len(files) > MAX_FILES:
        uploads.append(Upload("", b""))  # counted, refused by the rule below
    types = check_uploads(uploads)
    store = _store(runtime)
    stored = []
    for u, media_type in zip(uploads, types, strict=True):
        file_id = new_file_id()
        store.write(project_id, file_id, u.content)
        stored.append(pc.StoredEvidence(file_id, safe_name(u.name), media_type, len(u.content)))
    try:
        async with runtime.unit_of_work() as uow:
            return await pc.report_progress(project_id, percent, note, stored, who, uow, deps.rules)
    except BaseException:
        for s in stored:  # the report was refused: keep no orphan file
            store.remove(project_id, s.file_id)
        raise


@router.get(
    "/projects/{project_id}/evidence/{file_id}",
    summary="An evidence file, only ever as an attachment",
)
async def evidence(project_id: ProjectId, file_id: ItemId, runtime: Rt, who: Viewer) -> Response:
    async with runtime.unit_of_work() as uow:
        row = await pc.evidence_file(project_id, file_id, who, uow)
    content = _store(runtime).read(project_id, file_id)
    if content is None:
        raise errors.NotFound("file_missing", "附件文件已不存在，请联系管理员")
    name = str(row["name"])
    return Response(
        content=content,
        media_type=str(row["media_type"]),
        headers={
            # The stored id as the plain name, the client's name (escaped) for browsers.
            "Content-Disposition": (
                f"attachment; filename=\"{file_id}\"; filename*=UTF-8''{quote(name)}"
            ),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox",
            "Cache-Control": "private, no-store",
        },
    )


@router.post(
    "/projects/{project_id}/milestones/{milestone_id}/deliver",
    summary="A responsible unit delivers a milestone (MilestoneDelivered; its item Resolved)",
)
async def deliver(
    project_id: ProjectId,
    milestone_id: Annotated[str, Path(max_length=10)],
    body: NoteBody,
    runtime: Rt,
    deps: Deps,
    who: Unit,
) -> Any:
    async with runtime.unit_of_work() as uow:
        return await pc.deliver_milestone(project_id, milestone_id, body.note, who, uow, deps.rules)


@router.post(
    "/projects/{project_id}/complete",
    summary="The lead unit reports the project done (ProjectCompleted; rating opens)",
)
async def complete(
    project_id: ProjectId, body: NoteBody, runtime: Rt, deps: Deps, who: Unit
) -> Any:
    async with runtime.unit_of_work() as uow:
        return await pc.complete_project(project_id, body.note, who, uow, deps.rules)


@router.post(
    "/projects/{project_id}/inspections",
    summary="视察: deputies or a supervision group inspected (ProjectInspected)",
    status_code=201,
)
async def inspect(
    project_id: ProjectId, body: InspectionBody, runtime: Rt, deps: Deps, who: Inspector
) -> Any:
    cmd = pc.RecordInspection(
        held_on=body.held_on,
        inspector_kind=body.inspector_kind,
        findings=[
            pc.FindingInput(
                f.text,
                None if f.commitment is None else f.commitment.unit_id,
                None if f.commitment is None else f.commitment.due_on,
            )
            for f in body.findings
        ],
        deputy_ids=list(body.deputy_ids),
        group_id=body.group_id,
    )
    async with runtime.unit_of_work() as uow:
        return await pc.record_inspection(project_id, cmd, who, uow, deps.rules)


@router.post(
    "/projects/{project_id}/ratings",
    summary="An inspecting deputy rates the finished project (ProjectRated)",
)
async def rate(
    project_id: ProjectId, body: RatingBody, runtime: Rt, deps: Deps, who: Deputy
) -> Any:
    async with runtime.unit_of_work() as uow:
        return await pc.rate_project(project_id, body.rating, who, uow, deps.rules)


@router.get("/appeals/published", summary="Recurring appeals the office published")
async def appeals(runtime: Rt, who: Supervisor) -> Any:
    async with runtime.unit_of_work() as uow:
        return {"appeals": await pc.list_appeals(who, uow)}


@router.post(
    "/appeals/published",
    summary="Publish, edit or withdraw a recurring appeal (RecurringAppealPublished)",
)
async def publish(body: AppealBody, runtime: Rt, deps: Deps, who: AdminCaller) -> Any:
    cmd = pc.PublishAppeal(
        cluster_id=body.cluster_id,
        title=body.title,
        summary=body.summary,
        division_codes=body.division_codes,
        focus_area=body.focus_area,
        public=body.public,
    )
    async with runtime.unit_of_work() as uow:
        return await pc.publish_appeal(cmd, who, uow, deps.rules)
