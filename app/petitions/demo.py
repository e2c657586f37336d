"""Demo petitions for ``flask epeople init-db --demo`` (``make run``).

``load_demo_petitions`` submits petitions as the demo citizens (``config/demo/users.json``),
in Arabic and French and of every type, then has the demo staff walk each one through the
real services (the routing diagrams decide every step) to a different state, so a visitor
logging in as any demo account finds something to look at. It needs the demo people (loaded
earlier by ``app.auth``'s loader) and the default diagrams (deployed by ``init-db`` before the
loaders run). It does nothing when any petition exists, so ``init-db --demo`` can run again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import click
from sqlalchemy import func, select

from app.auth.models import User
from app.db import get_session
from app.engine.models import HumanTask
from app.petitions import petition_service
from app.petitions.models import Petition
from app.petitions.services import format_receipt
from app.tasks import task_service

AMIRA = "citizen.amira@example.org"
LEILA = "citizen.leila@example.org"
BCRC = "bcrc.agent@example.org"
HEALTH_RELATIONS = "health.relations@example.org"
HEALTH_AGENT = "health.agent@example.org"
SFAX_RELATIONS = "sfax.relations@example.org"
SFAX_AGENT = "sfax.agent@example.org"


@dataclass(frozen=True)
class Step:
    """``who`` completes the open task ``task`` of the petition with ``data``. ``claim`` first
    claims it instead (and leaves it open), as an agent does before working on it."""

    who: str
    task: str
    data: dict[str, Any] = field(default_factory=dict)
    claim: bool = False


@dataclass(frozen=True)
class DemoPetition:
    state: str  # what the demo shows, for the summary line
    type: str
    data: dict[str, Any]
    citizen: str | None  # None: an anonymous corruption report
    steps: tuple[Step, ...] = ()


DEMO_PETITIONS: tuple[DemoPetition, ...] = (
    DemoPetition(
        "under review at the BCRC", "complaint",
        {
            "subject": "انقطاع الماء الصالح للشرب في حي النصر",
            "description": (
                "الماء مقطوع في حي النصر منذ ثلاثة أيام دون أي إعلام مسبق، والعائلات تشتري الماء "
                "المعلب. نطلب إعادة التزويد وإعلام السكان بمدة الانقطاع."
            ),
            "location": "حي النصر، أريانة",
        },
        AMIRA,
    ),
    DemoPetition(
        "transferred to the Municipality of Sfax", "complaint",
        {
            "subject": "Éclairage public en panne, route de Tunis",
            "description": "Les lampadaires de la route de Tunis (km 4 à km 6) sont éteints depuis "
                           "deux semaines ; le soir, les piétons marchent dans le noir.",
            "location": "Route de Tunis, km 4, Sfax",
        },
        LEILA,
        (
            Step(BCRC, "qualify", {
                "decision": "transfer", "competent_body": "mun-sfax",
                "reason": "L'éclairage public relève de la commune de Sfax.",
            }),
        ),
    ),
    DemoPetition(
        "information requested from the citizen", "inquiry",
        {
            "subject": "وثائق استخراج بطاقة التعريف الوطنية لأول مرة",
            "description": (
                "ابني بلغ 18 سنة وأريد أن أعرف الوثائق المطلوبة لاستخراج بطاقة تعريفه الأولى."
            ),
            "inquiry_question": "ما هي الوثائق المطلوبة وأين يجب إيداعها؟",
        },
        AMIRA,
        (
            Step(BCRC, "qualify", {
                "decision": "request_info",
                "question": "في أي ولاية وُلد ابنك، وهل له مضمون ولادة حديث؟",
            }),
        ),
    ),
    DemoPetition(
        "being answered at the Ministry of Health", "guidance",
        {
            "subject": "Remboursement d'une hospitalisation à l'étranger",
            "description": "Ma mère a été hospitalisée en urgence en France. À quel service "
                           "dois-je m'adresser pour le remboursement des frais ?",
            "target_body": "min-health",
            "procedure": "Remboursement des soins reçus à l'étranger",
        },
        LEILA,
        (
            Step(HEALTH_RELATIONS, "qualify", {"decision": "accept",
                                               "competent_body": "min-health"}),
            Step(HEALTH_AGENT, "draft_answer", claim=True),
        ),
    ),
    DemoPetition(
        "answered, awaiting the citizen's rating", "complaint",
        {
            "subject": "انتظار طويل في قسم الاستعجالي بالمستشفى الجهوي",
            "description": "انتظرت ست ساعات في قسم الاستعجالي دون أن يفحصني أي طبيب، "
                           "ولم يكن هناك أي إرشاد حول ترتيب المرضى.",
            "location": "المستشفى الجهوي بنابل",
        },
        AMIRA,
        (
            Step(BCRC, "qualify", {"decision": "accept", "competent_body": "min-health"}),
            Step(HEALTH_AGENT, "draft_answer", {
                "decision": "submit",
                "answer": "شكرا على ملاحظتك. سيُفتح مكتب ثان لفرز المرضى في قسم الاستعجالي "
                          "بداية من الأول من أفريل، وستُعلَّق لافتة تشرح ترتيب الأولويات.",
            }),
            Step(BCRC, "validate_answer", {"decision": "approve"}),
        ),
    ),
    DemoPetition(
        "closed with a rating", "suggestion",
        {
            "subject": "Des bancs et de l'ombre à la station de bus Bab Jebli",
            "description": "Les usagers attendent debout en plein soleil à la station Bab Jebli.",
            "target_body": "mun-sfax",
            "proposal_benefit": "Un abri et quelques bancs rendraient l'attente supportable, "
                                "surtout pour les personnes âgées.",
        },
        LEILA,
        (
            Step(SFAX_RELATIONS, "qualify", {"decision": "accept", "competent_body": "mun-sfax"}),
            Step(SFAX_AGENT, "draft_answer", {
                "decision": "submit",
                "answer": "Merci pour votre proposition : un abri avec six bancs sera installé "
                          "à la station Bab Jebli avant l'été.",
            }),
            Step(SFAX_RELATIONS, "validate_answer", {"decision": "approve"}),
            Step(LEILA, "survey", {"rating": 4,
                                   "comment": "Merci, j'attends de voir l'abri installé."}),
        ),
    ),
    DemoPetition(
        "rejected", "complaint",
        {
            "subject": "Litige avec mon propriétaire sur la caution",
            "description": (
                "Mon ancien propriétaire refuse de me rendre la caution de deux mois de loyer."
            ),
        },
        LEILA,
        (
            Step(BCRC, "qualify", {
                "decision": "reject",
                "reason": "Un litige entre un locataire et un propriétaire privé ne relève pas de "
                          "l'administration : adressez-vous au tribunal cantonal.",
            }),
        ),
    ),
    DemoPetition(
        "anonymous corruption report under examination", "corruption",
        {
            "subject": "طلب رشوة مقابل رخصة بناء",
            "facts": "موظف بمكتب رخص البناء يطلب 200 دينار لتسريع دراسة الملفات، "
                     "ويؤخر ملفات من يرفض الدفع.",
            "when": "كل صباح منذ شهرين",
            "location": "مكتب رخص البناء",
            "anonymous": True,
        },
        None,
    ),
)


def load_demo_petitions() -> str:
    """``init-db --demo`` loader: the demo petitions, unless any petition exists already."""
    session = get_session()
    if session.scalar(select(func.count()).select_from(Petition)):
        return "demo petitions: skipped, petitions exist already"
    users = {u.email: u for u in session.scalars(select(User).where(User.email.in_(_people())))}
    missing = sorted(_people() - users.keys())
    if missing:
        raise click.ClickException(
            f"demo petitions need the demo accounts first; missing: {', '.join(missing)}"
        )
    receipts = []
    for demo in DEMO_PETITIONS:
        petition, receipt = _submit(demo, users)
        for step in demo.steps:
            _walk(petition, step, users[step.who])
        if receipt:
            receipts.append(f"{petition.tracking_number}, receipt code {format_receipt(receipt)}")
    session.commit()
    states = "; ".join(d.state for d in DEMO_PETITIONS)
    line = f"demo petitions: {len(DEMO_PETITIONS)} created ({states})"
    if receipts:
        line += "; follow the anonymous report at /track/receipt: " + "; ".join(receipts)
    return line


def _people() -> set[str]:
    citizens = {d.citizen for d in DEMO_PETITIONS if d.citizen}
    return citizens | {step.who for d in DEMO_PETITIONS for step in d.steps}


def _submit(demo: DemoPetition, users: dict[str, User]) -> tuple[Petition, str | None]:
    citizen = users[demo.citizen] if demo.citizen else None
    submission = petition_service().submit(
        demo.type, dict(demo.data), [],
        citizen_id=citizen.id if citizen else None,
        contact_email=citizen.email if citizen else None,
    )
    return submission.petition, submission.receipt_code


def _walk(petition: Petition, step: Step, user: User) -> None:
    service = petition_service()
    if step.task == "survey":
        task = service.survey_task(petition)
        if task is None:
            raise RuntimeError(f"demo petition {petition.tracking_number}: no survey to answer")
        service.complete_task(petition, task, step.data, user.id)
        return
    task_id = get_session().scalar(
        select(HumanTask.id).where(
            HumanTask.instance_id == petition.instance_id, HumanTask.task_name == step.task
        )
    )
    if task_id is None:
        raise RuntimeError(f"demo petition {petition.tracking_number}: no open task {step.task!r}")
    tasks = task_service()
    if step.claim:
        tasks.claim(task_id, user)
    else:
        tasks.complete(task_id, user, step.data)
