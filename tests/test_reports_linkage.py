"""The portfolio report carries the linkage analysis: per project the primary link's alignment
score and rank, and the mean score of all its declared links, as a real Celery worker builds
the file and openpyxl opens it."""

from __future__ import annotations

import io
import time

import pytest
from openpyxl import load_workbook

from agencies.access import Action
from linkage.models import LinkScore
from projects.models import StrategyLink
from reports.models import ReportJob
from tests.factories import ProjectFactory, complete_project, y1_node
from tests.progress_fixtures import people
from tests.test_reports import download, start_portfolio, wait_until_finished
from workflow import engine

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def test_portfolio_has_the_linkage_columns_with_the_stored_scores(
    celery_worker, shipped_strategy, agencies, client
):
    who = people(agencies)
    scored = complete_project(agency=agencies["doae"], created_by=who.staff)
    StrategyLink.objects.create(project=scored, node=y1_node("030301"))
    for action, actor in ((Action.SUBMIT, who.staff), (Action.APPROVE, who.approver),
                          (Action.APPROVE, who.ministry)):  # fmt: skip
        engine.perform(scored, action, actor)
    unscored = ProjectFactory(agency=agencies["doae"], created_by=who.staff)  # no link yet
    # Approval queues the linkage rescoring on the worker; wait for its two scores.
    deadline = time.monotonic() + 60
    while LinkScore.objects.filter(project=scored).count() < 2:
        assert time.monotonic() < deadline, "the worker did not score the project"
        time.sleep(0.3)

    job = wait_until_finished(start_portfolio(client, who.staff))
    assert job.state == ReportJob.State.DONE, job.error_detail
    scores = {s.node.code: s for s in LinkScore.objects.filter(project=scored)}
    assert set(scores) == {"030401", "030301"}
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
