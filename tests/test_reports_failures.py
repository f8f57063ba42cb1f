"""A failed report job's page: the reason in Thai, and a button to try again where trying again
can help (a build that broke), not where it cannot (data the owner may no longer see). The
build runs in the test's process (``services.build``, as the task calls it)."""

from __future__ import annotations

import pytest

from agencies.models import Membership
from reports import services
from reports.models import Report, ReportJob
from tests.factories import ProjectFactory, member

pytestmark = pytest.mark.django_db(transaction=True)  # a job is queued outside a transaction
R = Membership.Role
BUILD_FAILED = "สร้างรายงานไม่สำเร็จ กรุณาลองใหม่อีกครั้ง หากยังไม่สำเร็จ โปรดแจ้งผู้ดูแลระบบ"
NOT_ALLOWED = "ท่านไม่มีสิทธิ์เห็นข้อมูลของรายงานนี้แล้ว จึงไม่ได้สร้างรายงาน"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def queued(monkeypatch) -> list[int]:
    """The jobs handed to the broker (no worker here: the test builds them itself)."""
    jobs: list[int] = []
    monkeypatch.setattr("reports.services.enqueue", lambda task, pk: jobs.append(pk) or True)
    return jobs


def test_a_build_that_broke_says_so_in_thai_and_trying_again_builds_it(
    client, agencies, queued, monkeypatch
):
    staff = member(R.STAFF, agencies["doae"])
    ProjectFactory(agency=agencies["doae"], created_by=staff, title="โครงการพัฒนาเกษตรกร")
    client.force_login(staff)
    job = services.start_portfolio(staff, "csv", {})
    broken = dict(services._BUILDERS)
    broken[Report.PORTFOLIO] = lambda job, path: 1 / 0
    with monkeypatch.context() as patch:
        patch.setattr(services, "_BUILDERS", broken)
        services.build(job.pk)
    job.refresh_from_db()
    assert job.state == ReportJob.State.FAILED and job.error == ReportJob.Error.BUILD_FAILED

    page = client.get(f"/reports/{job.pk}/").content.decode()
    assert BUILD_FAILED in page and 'id="retry"' in page
    assert "ZeroDivisionError" not in page  # the detail is for the administrators' log
    assert 'id="download"' not in page
    assert client.get(f"/reports/{job.pk}/download/").status_code == 404

    assert client.post(f"/reports/{job.pk}/retry/").status_code == 302
    assert queued == [job.pk, job.pk]
    services.build(job.pk)
    page = client.get(f"/reports/{job.pk}/").content.decode()
    assert BUILD_FAILED not in page and 'id="download"' in page
    content = b"".join(client.get(f"/reports/{job.pk}/download/").streaming_content)
    assert "โครงการพัฒนาเกษตรกร" in content.decode("utf-8-sig")


def test_a_report_on_data_the_owner_may_no_longer_see_says_so_and_offers_no_retry(
    client, agencies, queued
):
    staff = member(R.STAFF, agencies["doae"])
    draft = ProjectFactory(agency=agencies["doae"], created_by=staff)
    job = services.start_project_form(staff, draft)
    Membership.objects.filter(user=staff).delete()  # moved to another post before the build
    services.build(job.pk)
    job.refresh_from_db()
    assert job.state == ReportJob.State.FAILED and job.error == ReportJob.Error.NOT_ALLOWED

    client.force_login(staff)
    for url in (f"/reports/{job.pk}/", f"/reports/{job.pk}/progress/"):
        page = client.get(url).content.decode()
        assert NOT_ALLOWED in page
        assert 'id="retry"' not in page and 'id="download"' not in page
    assert client.get(f"/reports/{job.pk}/download/").status_code == 404
