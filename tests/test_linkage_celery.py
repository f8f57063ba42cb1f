"""Linkage rescoring in a real Celery worker: on-save results equal batch results; the
batch command queues chunks and reports progress."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from linkage import tasks
from linkage.models import LinkScore, ProjectAnalysis
from tests.factories import AgencyFactory, complete_project

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def _stored() -> list[tuple]:
    rows = LinkScore.objects.order_by("project_id", "node_id").values_list(
        "project_id", "node_id", "version", "score", "rank", "rank_of", "chain_ok",
        "project_terms", "target_terms", "better", "signals",
    )  # fmt: skip
    analyses = ProjectAnalysis.objects.order_by("project_id").values_list(
        "project_id", "fingerprint", "suggestions"
    )
    return [tuple(json.dumps(v, sort_keys=True) for v in r) for r in rows] + list(analyses)


def test_batch_results_equal_on_save_results(shipped_strategy, celery_worker):
    agency = AgencyFactory(code="B001")
    projects = [complete_project(agency=agency) for _ in range(3)]
    other = complete_project(fiscal_year=2568)
    other.title, other.objectives = "โครงการก่อสร้างอ่างเก็บน้ำ", "เพิ่มพื้นที่ชลประทาน"
    other.save()
    for p in [*projects, other]:
        assert tasks.rescore_project.delay(p.pk).get(timeout=90)["scored"] == 1
    on_save = _stored()
    assert ProjectAnalysis.objects.count() == 4 and LinkScore.objects.count() == 4

    LinkScore.objects.all().delete()
    ProjectAnalysis.objects.all().delete()
    out = io.StringIO()
    call_command("linkage_rescore", "--fiscal-year", "2568", stdout=out)
    assert "queued 4 projects in 1 tasks" in out.getvalue()
    assert "1/1 tasks done: scored 4, unchanged 0" in out.getvalue()
    assert _stored() == on_save

    # a second batch with the same scorer version writes nothing
    again = io.StringIO()
    call_command("linkage_rescore", "--agency", "B001", stdout=again)
    assert "scored 0, unchanged 3" in again.getvalue()
