"""Demo linkage: every demo project is scored in the loading process (no worker needed), so
project pages, the approver's queue and the gap page show figures at once; idempotent, a second
load writes nothing.

``load_overlaps`` adds a province's dengue project that overlaps the Department of Disease
Control's own (DEMO-031, same fiscal year), so the near-duplicates page has a real case to
show. It is not called by ``load_demo`` yet because tests/test_demo.py counts the demo
projects exactly; the browser test loads it (merge note: call it from load_demo and from that
test's fixture together)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from demo.projects import _build, _context
from linkage import rubric_services, services
from projects.models import Project

OVERLAPS: list[dict[str, Any]] = [
    {
        "ref": "DEMO-L01", "ag": "15051", "fy": 2568, "st": "submitted", "y1": "13",
        "title": "โครงการป้องกันควบคุมโรคไข้เลือดออกแบบบูรณาการ จังหวัดขอนแก่น",
        "why": "จังหวัดขอนแก่นมีผู้ป่วยโรคไข้เลือดออกสูงทุกฤดูฝน โดยเฉพาะเด็กวัยเรียน ต้องลดแหล่งเพาะพันธุ์"
               "ยุงลายในบ้าน โรงเรียน และวัดอย่างต่อเนื่อง",
        "aims": ["เพื่อลดค่าดัชนีลูกน้ำยุงลายในชุมชนและสถานที่สาธารณะ",
                 "เพื่อลดอัตราป่วยด้วยโรคไข้เลือดออกในจังหวัด"],
        "who": "ประชาชนใน 26 อำเภอของจังหวัดขอนแก่น",
        "out": "อัตราป่วยด้วยโรคไข้เลือดออกในจังหวัดลดลง",
        "kpis": [("ค่าดัชนีลูกน้ำยุงลาย (HI) ไม่เกิน", "10", "ร้อยละ")],
        "acts": [("รณรงค์กำจัดแหล่งเพาะพันธุ์ยุงลายร่วมกับ อสม.", 1_500_000),
                 ("จัดหาสารเคมีและพ่นหมอกควันกำจัดยุงลาย", 1_000_000)],
        "where": ["40"], "links": ["sdg:3.3"],
    },
]  # fmt: skip


@transaction.atomic
def load_overlaps() -> int:
    demo = Project.objects.filter(reference__startswith="DEMO-L")
    done = set(demo.values_list("reference", flat=True))
    todo = [e for e in OVERLAPS if e["ref"] not in done]
    if todo:
        ctx = _context()
        for entry in todo:
            _build(entry, ctx)
    return len(todo)


def load_linkage() -> services.RescoreResult:
    ids = services.selection_ids()
    result = services.rescore_projects(ids)
    rubric_services.assess_projects(ids)  # the quality rubric, as the rescoring task does
    return result
