"""Report reads in a constant number of queries: the portfolio per chunk of projects, the
list of the user's reports whatever its length."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import Membership
from projects.models import StrategyLink
from reports.builders import portfolio
from reports.models import ReportJob
from tests.factories import complete_project, member, y1_node

R = Membership.Role


def _projects(agency, staff, n: int) -> None:
    for _ in range(n):
        project = complete_project(agency=agency, created_by=staff)
        StrategyLink.objects.create(project=project, node=y1_node("030301"))
        project.budget_lines.create(source="loan", fiscal_year=2568, amount=Decimal(5))


def _queries(user) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        count = len(list(portfolio.rows(user, {}, lambda done, total: None)))
    return count, len(ctx.captured_queries)


@pytest.mark.django_db
def test_portfolio_rows_take_the_same_queries_for_two_or_twelve_projects(agencies):
    staff = member(R.STAFF, agencies["doae"])
    _projects(agencies["doae"], staff, 2)
    rows_few, queries_few = _queries(staff)
    _projects(agencies["doae"], staff, 10)
    staff = type(staff).objects.get(pk=staff.pk)  # a fresh user: grants computed again
    rows_many, queries_many = _queries(staff)
    assert (rows_few, rows_many) == (2, 12)
    assert queries_many == queries_few


@pytest.mark.django_db
def test_the_report_list_takes_the_same_queries_for_one_or_many_jobs(agencies, client):
    staff = member(R.STAFF, agencies["doae"])
    client.force_login(staff)
    ReportJob.objects.create(owner=staff, report="portfolio", format="xlsx")
    with CaptureQueriesContext(connection) as one:
        assert client.get("/reports/").status_code == 200
    for _ in range(10):
        ReportJob.objects.create(owner=staff, report="portfolio", format="csv")
    with CaptureQueriesContext(connection) as many:
        assert client.get("/reports/").status_code == 200
    assert len(many.captured_queries) == len(one.captured_queries)


@pytest.mark.django_db
def test_expired_report_files_are_removed_and_the_page_offers_to_build_again(
    agencies, client, tmp_path, settings
):
    from datetime import timedelta

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from reports import services

    settings.MEDIA_ROOT = str(tmp_path)
    staff = member(R.STAFF, agencies["doae"])
    job = ReportJob.objects.create(owner=staff, report="portfolio", format="csv", state="done",
                                   expires_at=timezone.now() - timedelta(hours=1))  # fmt: skip
    job.file.save("portfolio.csv", ContentFile(b"x"))
    kept = ReportJob.objects.create(owner=staff, report="portfolio", format="csv", state="done",
                                    expires_at=timezone.now() + timedelta(days=1))  # fmt: skip
    kept.file.save("portfolio.csv", ContentFile(b"y"))
    path = job.file.path

    assert services.purge_expired() == 1
    assert services.purge_expired() == 0  # nothing left to remove
    import os

    assert not os.path.exists(path) and os.path.exists(kept.file.path)
    client.force_login(staff)
    page = client.get(f"/reports/{job.pk}/").content.decode()
    assert "หมดอายุ" in page and f"/reports/{job.pk}/retry/" in page
    assert client.get(f"/reports/{job.pk}/download/").status_code == 404


@pytest.mark.django_db
def test_the_agency_quarterly_figures_take_the_same_queries_for_one_or_six_projects(agencies):
    from reports.builders import agency_quarter
    from tests.progress_fixtures import approved_project, filed, people

    who = people(agencies)
    filters = {"agency": agencies["moac"].pk, "fiscal_year": 2568, "quarter": 1}

    def queries() -> tuple[int, int]:
        user = type(who.ministry).objects.get(pk=who.ministry.pk)  # grants computed again
        with CaptureQueriesContext(connection) as ctx:
            found = agency_quarter.collect(user, filters, lambda done, total: None)
            [(p.activities, p.kpis, p.budget, p.owed) for p in found.projects]
        return len(found.projects), len(ctx.captured_queries)

    filed(approved_project(agencies["doae"], who), who, 2568, 1, "100", "100")
    few, queries_few = queries()
    for agency in ("doae", "unit", "unit", "doae", "doae"):
        filed(approved_project(agencies[agency], who), who, 2568, 1, "100", "100")
    many, queries_many = queries()
    assert (few, many) == (1, 6)
    assert queries_many == queries_few
