"""Building Level-3 plans for tests: a complete plan that passes every submission check, linked
to real shipped strategy rows (Y1 030401 of mp-2566)."""

from __future__ import annotations

from datetime import date

from django.core.files.base import ContentFile

from plans import services
from plans.models import Plan, PlanLink, PlanTarget, PlanTargetValue
from tests.factories import y1_node
from workflow import engine

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
PLAN_TITLE = "แผนปฏิบัติราชการประจำปีงบประมาณ พ.ศ. 2568 กรมส่งเสริมการเกษตร"


def complete_plan(agency, created_by, **kwargs) -> Plan:
    """An annual action plan for FY 2568 with two targets and its PDF, as a draft."""
    fields = {
        "plan_type": Plan.Type.ACTION_ANNUAL,
        "title": PLAN_TITLE,
        "year_from": 2568,
        "year_to": 2568,
        "approved_by": Plan.ApprovedBy.HEAD,
        "approved_on": date(2024, 9, 15),
        "objectives": "เพื่อเพิ่มมูลค่าสินค้าเกษตรแปรรูป",
        **kwargs,
    }
    plan = Plan(agency=agency, created_by=created_by, **fields)
    plan.document.save("แผน.pdf", ContentFile(PDF), save=False)
    plan.document_name, plan.document_size = "แผน.pdf", len(PDF)
    plan.save()
    for order, (name, unit, value) in enumerate(
        [("วิสาหกิจชุมชนแปรรูปผลผลิตได้มาตรฐาน", "กลุ่ม", "50"),
         ("มูลค่าสินค้าเกษตรแปรรูปเพิ่มขึ้น", "ร้อยละ", "10")], start=1,
    ):  # fmt: skip
        target = PlanTarget.objects.create(
            plan=plan, order=order, name=name, indicator=f"ตัวชี้วัด: {name}", unit=unit
        )
        PlanTargetValue.objects.create(target=target, fiscal_year=plan.year_from, value=value)
    PlanLink.objects.create(plan=plan, node=y1_node(), is_primary=True)
    services.refresh_search_text(plan)
    engine.record(plan, "create", created_by)
    return plan
