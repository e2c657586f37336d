"""The staff tasklist: who sees which open task, claiming, reassigning and completing.

A task is visible to the staff of the body it is routed to (``HumanTask.body``, decided by the
diagram from the petition's data) whose role matches the task's lane; administrators see all.
Queries run on the projection tables only, never on workflow state, so they stay fast with
millions of petitions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, false, func, or_, select
from sqlalchemy.orm import Session

from app.auth.models import Role, User
from app.db import utcnow
from app.engine.models import HumanTask
from app.engine.service import task_info
from app.engine.types import InstanceInfo, NotFound, TaskInfo, TaskNotReady
from app.notifications import notify_task_assigned
from app.petitions.models import Petition
from app.petitions.services import PetitionService

# Which role works on which lane of the routing diagrams.
LANE_ROLES = {
    "relations_office": Role.RELATIONS_AGENT,
    "body_agent": Role.BODY_AGENT,
    "coordinator": Role.COORDINATOR,
}
# NULLS LAST rather than sorting on "due_at IS NULL" first: PostgreSQL can then read a queue's
# tasks in the order of its index (body, lane, due_at) and stop after a page.
SORTS = {
    "due": (HumanTask.due_at.asc().nulls_last(), HumanTask.created_at),
    "received": (Petition.created_at,),
    "priority": (HumanTask.priority.desc(), HumanTask.due_at.asc().nulls_last()),
}
PAGE_SIZE = 25


class NotYourTask(Exception):
    """The task is claimed by someone else (HTTP 403)."""


@dataclass(frozen=True)
class TaskFilters:
    petition_type: str | None = None
    status: str | None = None  # the petition's public status
    assigned: str = "all"  # all, me, unassigned
    overdue: bool = False
    text: str = ""
    sort: str = "due"
    page: int = 1


@dataclass(frozen=True)
class TaskRow:
    task: HumanTask
    petition: Petition


@dataclass(frozen=True)
class TaskPage:
    rows: list[TaskRow]
    total: int
    page: int
    pages: int


def visible_to(user: User) -> Any:
    """The SQL condition selecting the open tasks ``user`` may see."""
    if user.role == Role.ADMIN:
        return HumanTask.lane.is_distinct_from("citizen")
    lanes = [lane for lane, role in LANE_ROLES.items() if role == user.role]
    if not lanes or user.body is None:
        return false()
    return and_(HumanTask.lane.in_(lanes), HumanTask.body == user.body.code)


class TaskService:
    def __init__(self, session: Session, petitions: PetitionService) -> None:
        self.session = session
        self.petitions = petitions
        self.engine = petitions.engine

    def list(self, user: User, filters: TaskFilters, now: datetime | None = None) -> TaskPage:
        query: Select[Any] = (
            select(HumanTask, Petition)
            .join(Petition, Petition.instance_id == HumanTask.instance_id)
            .where(visible_to(user))
        )
        if filters.petition_type:
            query = query.where(Petition.type == filters.petition_type)
        if filters.status:
            query = query.where(Petition.status == filters.status)
        if filters.assigned == "me":
            query = query.where(HumanTask.assignee == str(user.id))
        elif filters.assigned == "unassigned":
            query = query.where(HumanTask.assignee.is_(None))
        if filters.overdue:
            query = query.where(HumanTask.due_at < (now or utcnow()))
        text = filters.text.strip()[:200]
        if text:
            pattern = f"%{text}%"
            query = query.where(
                or_(
                    Petition.subject.ilike(pattern),
                    Petition.description.ilike(pattern),
                    Petition.tracking_number.ilike(pattern),
                )
            )
        total = self.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(max(1, filters.page), pages)
        ordered = query.order_by(*SORTS.get(filters.sort, SORTS["due"]), HumanTask.id)
        rows = self.session.execute(ordered.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
        return TaskPage([TaskRow(task, petition) for task, petition in rows], total, page, pages)

    def get(self, task_id: str, user: User) -> TaskRow:
        """The task if ``user`` may see it; otherwise NotFound (existence is not revealed)."""
        row = self.session.execute(
            select(HumanTask, Petition)
            .join(Petition, Petition.instance_id == HumanTask.instance_id)
            .where(HumanTask.id == task_id, visible_to(user))
        ).one_or_none()
        if row is None:
            raise NotFound("no such open task")
        return TaskRow(row[0], row[1])

    def claim(self, task_id: str, user: User) -> TaskInfo:
        self.get(task_id, user)
        return self.engine.assign(task_id, str(user.id), expected=None)

    def unclaim(self, task_id: str, user: User) -> TaskInfo:
        row = self.get(task_id, user)
        if row.task.assignee != str(user.id) and user.role != Role.ADMIN:
            raise NotYourTask("only the person who claimed this task can release it")
        return self.engine.assign(task_id, None, expected=row.task.assignee)

    def colleagues(self, task: HumanTask, user: User) -> list[User]:
        """Who a task can be reassigned to: active staff of its body whose role fits its lane."""
        role = LANE_ROLES.get(task.lane or "")
        if role is None or task.body is None:
            return []
        from app.org.models import Body

        return list(
            self.session.scalars(
                select(User)
                .join(Body, Body.id == User.body_id)
                .where(Body.code == task.body, User.role == role, User.is_active.is_(True))
                .order_by(User.full_name)
            )
        )

    def reassign(self, task_id: str, user: User, to_user_id: int) -> TaskInfo:
        row = self.get(task_id, user)
        if row.task.assignee not in (None, str(user.id)) and user.role not in (Role.ADMIN, Role.COORDINATOR):
            raise NotYourTask("this task is claimed by someone else")
        target = next((c for c in self.colleagues(row.task, user) if c.id == to_user_id), None)
        if target is None:
            raise NotFound("no such colleague for this task")
        info = self.engine.assign(task_id, str(target.id), expected=row.task.assignee)
        self.petitions.comment(row.petition, f"Task reassigned to {target.full_name}", user.id)
        notify_task_assigned(self.session, row.task, row.petition, target, user)
        return info

    def complete(self, task_id: str, user: User, data: dict[str, Any], row: TaskRow | None = None) -> InstanceInfo:
        """Complete the task; ``row`` is what ``get(task_id, user)`` returned if the caller
        already has it (the view reads it for the form), saving a second lookup."""
        try:
            row = row or self.get(task_id, user)
        except NotFound:
            if self.engine.store.was_completed(task_id):
                raise TaskNotReady("this task has already been completed by someone") from None
            raise
        if row.task.assignee not in (None, str(user.id)):
            raise NotYourTask("this task is claimed by someone else")
        return self.petitions.complete_task(row.petition, task_info(row.task), data, user.id)
