"""The batch checks as agency staff notice them: each check flags the project that has the
problem and not a clean one, a fixed project's finding goes away on the next run, re-runs
create no duplicates, each agency gets one digest e-mail of what is new (sent by the real
Celery worker), the "to fix" list shows an agency only its own findings, and the project page
shows a project's findings."""

from __future__ import annotations

import email
import time
from datetime import date
from decimal import Decimal
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from agencies.models import Membership
from checks import services
from checks.models import Finding
from checks.tasks import recheck_project, run_checks
from linkage.models import LinkScore
from projects.models import KPI, Activity, BudgetLine, StrategyLink
from strategy.models import Node
from tests.factories import complete_project, member
from tests.progress_fixtures import approved_project, filed, people

R = Membership.Role


def codes_of(project) -> set[str]:
    return set(
        Finding.objects.filter(project=project, resolved_at__isnull=True).values_list(
            "code", flat=True
        )
    )


def run(**kwargs) -> services.RunResult:
    return services.run_checks(**kwargs)


# --- each check: the broken project is found, the clean one is not, the fix resolves it ------


def _no_kpi_unit(p):
    KPI.objects.filter(project=p).update(unit=" ")


def _fix_kpi_unit(p):
    KPI.objects.filter(project=p).update(unit="กลุ่ม")


def _no_primary(p):
    StrategyLink.objects.filter(project=p).delete()


def _fix_primary(p):
    StrategyLink.objects.create(project=p, node=Node.objects.get(edition__code="mp-2566",
                                code="030401"), is_primary=True)  # fmt: skip


def _activity_without_budget(p):
    Activity.objects.filter(project=p, order=2).update(budget=None)


def _fix_activity_budget(p):
    Activity.objects.filter(project=p, order=2).update(budget=Decimal(400000))


def _lines_off(p):
    BudgetLine.objects.filter(project=p).update(amount=Decimal("900000"))


def _fix_lines(p):
    BudgetLine.objects.filter(project=p).update(amount=Decimal("1000000"))


def _activities_off(p):
    Activity.objects.filter(project=p, order=2).update(budget=Decimal(300000))


def _explain_activities(p):
    p.budget_difference_reason = "กิจกรรมที่ 3 จะเพิ่มในไตรมาสหน้า"
    p.save()


def _start_in_other_year(p):
    p.start_date = date(2024, 9, 1)  # FY 2567, the project is FY 2568
    p.save()


def _fix_start(p):
    p.start_date = date(2024, 10, 1)
    p.save()


def _retired_link(p):
    old = Node.objects.filter(edition__code="mp-2561", kind="y1").order_by("code").first()
    StrategyLink.objects.create(project=p, node=old)


def _drop_secondary(p):
    StrategyLink.objects.filter(project=p, is_primary=False).delete()


def _link_from_later_edition(p):
    # A FY 2566 project (edition mp-2561) that links to the 2566 revision (from FY 2567).
    p.fiscal_year, p.start_date, p.end_date = 2566, date(2022, 10, 1), date(2023, 9, 30)
    p.save()
    BudgetLine.objects.filter(project=p).update(fiscal_year=2566)


def _relink_to_its_edition(p):
    StrategyLink.objects.filter(project=p).delete()
    node = Node.objects.filter(edition__code="mp-2561", kind="y1").order_by("code").first()
    StrategyLink.objects.create(project=p, node=node, is_primary=True)


def _weak_score(p):
    link = StrategyLink.objects.get(project=p, is_primary=True)
    LinkScore.objects.create(project=p, node=link.node, is_primary=True, version="t",
                             score=LinkScore.WEAK_BELOW - 5, rank=9, rank_of=27)  # fmt: skip


def _strong_score(p):
    LinkScore.objects.filter(project=p).update(score=85, rank=1)


CASES = [
    ("kpi_unit_missing", _no_kpi_unit, _fix_kpi_unit, "ไม่มีหน่วยนับ"),
    ("no_primary_link", _no_primary, _fix_primary, "ไม่มีความเชื่อมโยงหลัก"),
    ("activity_budget_missing", _activity_without_budget, _fix_activity_budget, "ไม่ระบุงบประมาณ"),
    ("budget_lines_total", _lines_off, _fix_lines, "900,000.00 บาท"),
    ("activity_budget_total", _activities_off, _explain_activities, "900,000.00 บาท"),
    ("dates_outside_fiscal_year", _start_in_other_year, _fix_start, "1 ก.ย. 2567"),
    ("link_retired_edition", _retired_link, _drop_secondary, "ไม่มีผลใช้บังคับแล้ว"),
    ("link_other_edition", _link_from_later_edition, _relink_to_its_edition, "ไม่ใช่แผนฉบับ"),
    ("weak_linkage", _weak_score, _strong_score, "คะแนนต่ำสุด 25 จาก 100"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("code,breaks,fixes,shown", CASES, ids=[c[0] for c in CASES])
def test_each_check_finds_the_broken_project_and_the_fix_resolves_it(
    agencies, client, code, breaks, fixes, shown
):
    staff = member(R.STAFF, agencies["doae"])
    clean = complete_project(agency=agencies["doae"], created_by=staff)
    broken = complete_project(agency=agencies["doae"], created_by=staff)
    breaks(broken)

    run()
    assert code in codes_of(broken)
    assert codes_of(clean) == set()  # a complete project raises nothing at all
    finding = Finding.objects.get(project=broken, code=code, resolved_at__isnull=True)
    assert finding.agency == agencies["doae"]
    client.force_login(staff)
    page = client.get(broken.get_absolute_url()).content.decode()
    assert "ประเด็นที่การตรวจสอบพบ" in page and shown in page
    assert "ประเด็นที่การตรวจสอบพบ" not in client.get(clean.get_absolute_url()).content.decode()

    fixes(broken)
    result = run()
    assert code not in codes_of(broken)
    finding.refresh_from_db()
    assert finding.resolved_at == result.checked_at
    assert shown not in client.get(broken.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_overdue_progress_reports_are_found_and_filing_resolves_them(agencies):
    who = people(agencies)
    project = approved_project(agencies["doae"], who)
    # Q1 of FY 2568 ended 31 Dec 2567 and was due 30 Jan 2568; Q2 is not due yet.
    run(today=date(2025, 1, 15))
    assert codes_of(project) == set()
    run(today=date(2025, 2, 15))
    finding = Finding.objects.get(project=project, resolved_at__isnull=True)
    assert finding.code == "progress_overdue" and finding.params["count"] == 1
    assert "30 ม.ค. 2568" in finding.message

    filed(project, who, 2568, 1, "100000", "100000", accept=False)  # submitted is enough
    run(today=date(2025, 2, 15))
    assert codes_of(project) == set()


@pytest.mark.django_db
def test_a_rerun_creates_no_duplicates_and_a_recurring_problem_is_a_new_finding(agencies):
    project = complete_project(agency=agencies["doae"])
    _lines_off(project)
    first = run()
    again = run()
    assert again.new == 0 and again.seen == first.seen
    finding = Finding.objects.get(project=project)
    assert finding.first_seen == first.checked_at and finding.last_seen == again.checked_at

    _fix_lines(project)
    run()
    _lines_off(project)
    run()
    rows = Finding.objects.filter(project=project).order_by("first_seen")
    assert [r.resolved_at is None for r in rows] == [False, True]


@pytest.mark.django_db
def test_a_run_for_one_agency_leaves_the_others_alone(agencies):
    doae = complete_project(agency=agencies["unit"])  # a unit below the department
    doh = complete_project(agency=agencies["doh"])
    _lines_off(doae)
    _lines_off(doh)
    call_command("run_checks", "--agency", "T07003", "--no-mail")
    assert codes_of(doae) == {"budget_lines_total"} and codes_of(doh) == set()

    run()
    _fix_lines(doh)
    run(agency_ids=services.subtree_ids("T07003"))
    assert codes_of(doh) == {"budget_lines_total"}  # not in scope: left as it was
    with pytest.raises(CommandError):
        call_command("run_checks", "--agency", "NOPE")


@pytest.mark.django_db
def test_staff_see_only_their_agencies_findings_filtered_by_severity_and_check(agencies, client):
    doae_staff = member(R.STAFF, agencies["doae"])
    doh_staff = member(R.STAFF, agencies["doh"])
    approver = member(R.AGENCY_APPROVER, agencies["doae"])
    analyst = member(R.ANALYST, agencies["nesdc"])
    a = complete_project(agency=agencies["doae"], title="โครงการของกรมส่งเสริมการเกษตร")
    b = complete_project(agency=agencies["doh"], title="โครงการของกรมอนามัย")
    _lines_off(a)
    _no_kpi_unit(a)
    _lines_off(b)
    run()
    url = reverse("checks:to_fix")

    client.force_login(doh_staff)
    page = client.get(url).content.decode()
    assert b.title in page and a.title not in page
    # Asking for the other agency does not show its findings either.
    page = client.get(url, {"agency": agencies["doae"].pk}).content.decode()
    assert a.title not in page
    assert a.title not in client.get(url, {"export": "csv"}).content.decode()

    for user in (doae_staff, approver):
        client.force_login(user)
        page = client.get(url).content.decode()
        assert a.title in page and b.title not in page and "ตรวจสอบเดี๋ยวนี้" in page
    page = client.get(url, {"severity": "warning"}).content.decode()
    assert "ตัวชี้วัด 1 รายการไม่มีหน่วยนับ" in page and "900,000.00" not in page
    page = client.get(url, {"code": "budget_lines_total"}).content.decode()
    assert "900,000.00" in page and "ตัวชี้วัด 1 รายการไม่มีหน่วยนับ" not in page
    assert client.get(url, {"code": "nonsense"}).status_code == 200  # the bad filter is dropped

    client.force_login(analyst)
    page = client.get(url).content.decode()
    assert a.title not in page and b.title not in page and "ตรวจสอบเดี๋ยวนี้" not in page
    assert client.post(reverse("checks:run")).status_code == 403


# --- the digest, through the real worker ------------------------------------------------------


def digest_mails(mail_dir: Path, agency_name: str) -> list:
    found = []
    for path in sorted(mail_dir.iterdir()):
        for chunk in path.read_bytes().split(b"-" * 79):
            if not chunk.strip():
                continue
            message = email.message_from_bytes(chunk.strip())
            subject = str(make_header(decode_header(message["Subject"] or "")))
            if "ประเด็นที่ต้องแก้ไขใหม่" in subject and agency_name in subject:
                message.text = message.get_payload(decode=True).decode()
                found.append(message)
    return found


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_one_digest_per_agency_and_nothing_on_a_rerun(
    shipped_strategy, celery_worker, agencies
):
    doae_staff = member(R.STAFF, agencies["doae"], email="staff@doae.go.th")
    member(R.AGENCY_APPROVER, agencies["doae"], email="boss@doae.go.th")
    member(R.STAFF, agencies["doh"], email="staff@doh.go.th")
    one = complete_project(agency=agencies["doae"], created_by=doae_staff, title="โครงการหนึ่ง")
    two = complete_project(agency=agencies["doae"], created_by=doae_staff, title="โครงการสอง")
    three = complete_project(agency=agencies["doh"], title="โครงการสาม")
    _lines_off(one)
    _no_kpi_unit(two)
    _no_primary(three)

    result = run_checks.delay().get(timeout=120)
    assert result["new"] == 3 and result["digests"] == 2
    doae = digest_mails(celery_worker.mail_dir, agencies["doae"].name_th)
    doh = digest_mails(celery_worker.mail_dir, agencies["doh"].name_th)
    assert len(doae) == 1 and len(doh) == 1
    assert set(doae[0]["To"].replace(" ", "").split(",")) == {"boss@doae.go.th",
                                                              "staff@doae.go.th"}  # fmt: skip
    assert "โครงการหนึ่ง" in doae[0].text and "โครงการสอง" in doae[0].text
    assert "โครงการสาม" not in doae[0].text and "900,000.00" in doae[0].text
    assert f"/projects/{one.pk}/" in doae[0].text and "/checks/" in doae[0].text

    # The same run again: nothing new, no e-mail.
    again = run_checks.delay().get(timeout=120)
    assert again["new"] == 0 and again["digests"] == 0
    assert len(digest_mails(celery_worker.mail_dir, agencies["doae"].name_th)) == 1

    # A new problem: the next digest lists only it; a fix recheck resolves one at once.
    _activities_off(one)
    _fix_kpi_unit(two)
    assert recheck_project.delay(two.pk).get(timeout=60)["resolved"] == 1
    assert codes_of(two) == set()
    assert run_checks.delay().get(timeout=120)["digests"] == 1
    doae = digest_mails(celery_worker.mail_dir, agencies["doae"].name_th)
    assert len(doae) == 2
    newest = next(m for m in doae if "ไม่ได้ระบุเหตุผล" in m.text)
    assert "พบประเด็นใหม่ 1 รายการ" in newest.text
    assert "โครงการหนึ่ง" in newest.text and "โครงการสอง" not in newest.text


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_saving_the_fixed_project_rechecks_it_in_the_worker(
    shipped_strategy, celery_worker, agencies, client, settings
):
    """The edit page's save queues the rescore, and the worker then rechecks the project:
    the finding goes away without waiting for the nightly run."""
    from tests.test_projects_pages import drop_empty_rows, form_data

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    staff = member(R.STAFF, agencies["doae"])
    project = complete_project(agency=agencies["doae"], created_by=staff)
    _no_kpi_unit(project)
    run()
    assert codes_of(project) == {"kpi_unit_missing"}

    client.force_login(staff)
    data = drop_empty_rows(form_data(client.get(f"/projects/{project.pk}/edit/")))
    data["kpis-0-unit"] = ["กลุ่ม"]
    assert client.post(f"/projects/{project.pk}/edit/", data).status_code == 302
    deadline = time.monotonic() + 120
    while codes_of(project) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert codes_of(project) == set()
    assert Finding.objects.get(project=project).resolved_at is not None


@pytest.mark.django_db
def test_the_run_button_queues_the_checks_of_the_users_agencies(agencies, client):
    from unittest import mock

    staff = member(R.STAFF, agencies["doae"])
    client.force_login(staff)
    with mock.patch("checks.views.enqueue", return_value=True) as queued:
        response = client.post(reverse("checks:run"), follow=True)
    assert "กำลังตรวจสอบ" in response.content.decode()
    ids = set(queued.call_args.kwargs["agency_ids"])
    assert ids == {agencies["doae"].pk, agencies["unit"].pk}  # the department and its unit
    with mock.patch("checks.views.enqueue", return_value=False):  # the broker is down
        response = client.post(reverse("checks:run"), follow=True)
    assert response.status_code == 200 and "ยังเริ่มการตรวจสอบไม่ได้" in response.content.decode()
    assert client.get(reverse("checks:run")).status_code == 405
