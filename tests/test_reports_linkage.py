"""The portfolio report carries the linkage analysis: per project the primary link's alignment
score and rank, and the mean score of all its declared links, as a real Celery worker builds
the file and openpyxl opens it."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from linkage.models import LinkScore
from linkage.services import rescore_projects
from projects.models import StrategyLink
from reports.models import ReportJob
from tests.factories import y1_node
from tests.progress_fixtures import approved_project, people
from tests.test_reports import download, start_portfolio, wait_until_finished

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def test_portfolio_has_the_linkage_columns_with_the_stored_scores(
    celery_worker, shipped_strategy, agencies, client
):
    who = people(agencies)
    scored = approved_project(agencies["doae"], who)
    StrategyLink.objects.create(project=scored, node=y1_node("030301"))
    unscored = approved_project(agencies["doae"], who)
    rescore_projects([scored.pk])  # the linkage analysis, as its Celery task runs it
    scores = {s.node.code: s for s in LinkScore.objects.filter(project=scored)}
    assert set(scores) == {"030401", "030301"}

    job = wait_until_finished(start_portfolio(client, who.staff))
    assert job.state == ReportJob.State.DONE, job.error_detail
    sheet = load_workbook(io.BytesIO(download(client, job)), read_only=True).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = rows[0]
    assert header[-3:] == [
        "คะแนนความสอดคล้องหลัก", "ลำดับของความสอดคล้องหลัก", "คะแนนความสอดคล้องเฉลี่ยของทุกความสอดคล้อง"
    ]  # fmt: skip
    by_id = {}
    for row in rows[1:]:
        by_id[row[header.index("ชื่อ")]] = row
    primary = scores["030401"]
    mean = round((primary.score + scores["030301"].score) / 2, 1)
    assert by_id[scored.title][-3:] == [primary.score, primary.rank, mean]
    assert by_id[unscored.title][-3:] == [None, None, None]
