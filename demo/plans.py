"""Demo Level-3 plans: a few plans of the demo agencies in different workflow states, linked
to rows of the shipped strategy hierarchy (never invented) and served by some demo projects,
so the plan pages show coverage, budgets per year and targets no project serves yet.

Titles, targets and values are illustrative, not official records. Each plan is moved through
the workflow by the demo user whose role allows the step, so timelines are the real ones. A
plan's ``ref`` makes loading idempotent. Needs demo.projects loaded first.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction

from agencies import access
from agencies.access import Action
from agencies.models import Agency
from demo.data import USERS
from demo.projects import DEMO_STAFF
from plans import services
from plans.models import Plan, PlanTarget, PlanTargetValue, ProjectPlanLink
from projects.models import Project
from strategy.models import Node
from workflow import engine

T, A = Plan.Type, Plan.ApprovedBy
# A one-page PDF standing in for the plan document.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]"
    b"/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)

# targets: (name, indicator, unit, {fiscal year: value}); serve: (project ref, target order).
PLANS: list[dict[str, Any]] = [
    {
        "ref": "DEMO-PLAN-01", "ag": "07003", "type": T.ACTION_ANNUAL, "years": (2568, 2568),
        "st": "approved", "by": A.HEAD, "on": date(2024, 9, 20), "res": "",
        "title": "แผนปฏิบัติราชการรายปี พ.ศ. 2568 ของกรมส่งเสริมการเกษตร",
        "aims": "เพิ่มประสิทธิภาพการผลิตสินค้าเกษตรและความเข้มแข็งของสถาบันเกษตรกร",
        "primary": ("mp-2566", "030601"), "others": [("mp-2566", "030602"), ("mp-2566", "030002")],
        "targets": [
            ("ต้นทุนการผลิตของแปลงใหญ่ลดลง", "ร้อยละของต้นทุนต่อไร่ที่ลดลง", "ร้อยละ", {2568: "10"}),
            ("วิสาหกิจชุมชนมีความเข้มแข็ง", "วิสาหกิจชุมชนที่ผ่านการประเมินระดับดี", "แห่ง",
             {2568: "1500"}),
            ("เกษตรกรรุ่นใหม่เข้าสู่ภาคเกษตร", "จำนวนเกษตรกรรุ่นใหม่ที่ได้รับการพัฒนา", "ราย",
             {2568: "5000"}),
        ],
        "serve": [("DEMO-001", 1), ("DEMO-009", 1), ("DEMO-002", 2)],
    },
    {
        "ref": "DEMO-PLAN-02", "ag": "07003", "type": T.ACTION_5Y, "years": (2566, 2570),
        "st": "submitted", "by": A.HEAD, "on": date(2022, 9, 15), "res": "",
        "title": "แผนปฏิบัติราชการ ระยะ 5 ปี (พ.ศ. 2566-2570) ของกรมส่งเสริมการเกษตร",
        "aims": "เกษตรกรมีรายได้เพิ่มขึ้นด้วยการผลิตที่มีประสิทธิภาพและตลาดนำการผลิต",
        "primary": ("mp-2566", "030002"), "others": [("mp-2566", "030001")],
        "targets": [
            ("ผลิตภาพการผลิตของภาคเกษตรเพิ่มขึ้น", "อัตราการเพิ่มผลิตภาพการผลิต", "ร้อยละต่อปี",
             {2566: "1", 2567: "1", 2568: "1.5", 2569: "1.5", 2570: "2"}),
            ("สินค้าเกษตรแปรรูปมีมูลค่าเพิ่มขึ้น", "มูลค่าสินค้าเกษตรแปรรูปของวิสาหกิจชุมชน", "ล้านบาท",
             {2568: "500", 2569: "600", 2570: "700"}),
        ],
        "serve": [("DEMO-005", 2), ("DEMO-003", 1)],
    },
    {
        "ref": "DEMO-PLAN-03", "ag": "07900", "type": T.OPERATIONAL, "years": (2568, 2569),
        "st": "draft", "by": A.OTHER, "other": "คณะกรรมการการยางแห่งประเทศไทย",
        "on": None, "res": "",
        "title": "แผนปฏิบัติการด้านการแปรรูปยางพาราเพื่อเพิ่มมูลค่า พ.ศ. 2568-2569",
        "aims": "เพิ่มสัดส่วนการแปรรูปยางพาราโดยสถาบันเกษตรกรชาวสวนยาง",
        "primary": ("mp-2566", "030401"), "others": [],
        "targets": [
            ("สถาบันเกษตรกรแปรรูปยางได้มาตรฐาน", "จำนวนสถาบันเกษตรกรที่แปรรูปยาง", "แห่ง",
             {2568: "120", 2569: "150"}),
        ],
        "serve": [("DEMO-017", 1)],
    },
    {
        "ref": "DEMO-PLAN-04", "ag": "15050", "type": T.PROVINCIAL, "years": (2566, 2570),
        "st": "approved", "by": A.OTHER,
        "other": "คณะกรรมการบริหารงานจังหวัดแบบบูรณาการ (ก.บ.จ.) เชียงใหม่",
        "on": date(2022, 6, 30), "res": "มติ ก.บ.จ. เชียงใหม่ ครั้งที่ 3/2565",
        "title": "แผนพัฒนาจังหวัดเชียงใหม่ (พ.ศ. 2566-2570)",
        "aims": "เชียงใหม่เป็นนครแห่งชีวิตและความมั่งคั่ง ด้วยการท่องเที่ยวเชิงสร้างสรรค์และเกษตรมูลค่าสูง",
        "primary": ("mp-2561", "050101"), "others": [],
        "targets": [
            ("รายได้จากการท่องเที่ยวเชิงสร้างสรรค์เพิ่มขึ้น", "อัตราการเพิ่มของรายได้จากการท่องเที่ยว",
             "ร้อยละ", {2568: "5", 2569: "5", 2570: "6"}),
            ("ชุมชนหัตถกรรมเป็นแหล่งท่องเที่ยว", "จำนวนชุมชนหัตถกรรมที่ได้รับการพัฒนา", "ชุมชน",
             {2568: "12", 2569: "15", 2570: "18"}),
        ],
        "serve": [("DEMO-036", 2)],
    },
]  # fmt: skip

STEPS = {
    "draft": [],
    "submitted": [Action.SUBMIT],
    "agency_approved": [Action.SUBMIT, Action.APPROVE],
    "approved": [Action.SUBMIT, Action.APPROVE, Action.APPROVE],
}


def _actor(users: list, action: str, obj):
    for user in users:
        if access.can(user, action, obj):
            return user
    raise ValueError(f"No demo user may {action} {obj}.")


def _build(e: dict[str, Any], users: list) -> Plan:
    agency = Agency.objects.get(code=e["ag"])
    creator = _actor(users, Action.EDIT, Plan(agency=agency, status="draft"))
    plan = Plan(
        agency=agency, plan_type=e["type"], reference=e["ref"], title=e["title"],
        year_from=e["years"][0], year_to=e["years"][1], approved_by=e["by"],
        approved_by_other=e.get("other", ""), approved_on=e["on"], resolution_ref=e["res"],
        objectives=e["aims"], created_by=creator,
    )  # fmt: skip
    plan.document.save(f"{e['ref']}.pdf", ContentFile(PDF), save=False)
    plan.document_name, plan.document_size = f"{e['ref']}.pdf", len(PDF)
    plan.save()
    for order, (name, indicator, unit, values) in enumerate(e["targets"], start=1):
        target = PlanTarget.objects.create(plan=plan, order=order, name=name,
                                           indicator=indicator, unit=unit)  # fmt: skip
        PlanTargetValue.objects.bulk_create(
            PlanTargetValue(target=target, fiscal_year=y, value=v) for y, v in values.items()
        )
    node = Node.objects.get
    services.set_links(plan, services.LinkChoice(
        primary=node(edition__code=e["primary"][0], code=e["primary"][1]),
        secondary=[node(edition__code=ed, code=code) for ed, code in e["others"]],
    ))  # fmt: skip
    services.refresh_search_text(plan)
    engine.record(plan, "create", creator)
    for step in STEPS[e["st"]]:
        actor = creator if step == Action.SUBMIT else _actor(users, step, plan)
        engine.perform(plan, step, actor)
    targets = {t.order: t for t in plan.targets.all()}
    for ref, order in e["serve"]:
        project = Project.objects.filter(reference=ref, is_current=True).first()
        if project is None:
            continue
        ProjectPlanLink.objects.get_or_create(
            lineage=project.lineage,
            plan=plan,
            target=targets[order],
            defaults={"project": project, "created_by": creator},
        )
    return plan


@transaction.atomic
def load_plans() -> tuple[int, int]:
    """Create the demo plans not created yet; returns (new, existing)."""
    names = [u.username for u in [*USERS, *DEMO_STAFF]]
    by_name = {u.username: u for u in get_user_model().objects.filter(username__in=names)}
    users = [by_name[n] for n in names if n in by_name]
    existing = set(Plan.objects.filter(reference__startswith="DEMO-PLAN-").values_list(
        "agency__code", "reference"))  # fmt: skip
    new = 0
    for entry in PLANS:
        if (entry["ag"], entry["ref"]) not in existing:
            _build(entry, users)
            new += 1
    return new, len(PLANS) - new
