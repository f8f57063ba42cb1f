"""Writing Level-3 plans and progress reports over the API, and attachments, as an agency's own
system does: the same rules, messages, lock and change records as the browser forms (both call
the same data-level services), errors that name the field in Thai or English, 409 on a stale
version, constant query counts on the new lists."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from agencies.access import Action
from core.states import Status
from plans.models import Plan
from progress import services as progress_services
from progress.models import ProgressReport
from projects.models import Attachment
from strategy.models import Kind, Node
from tests.factories import complete_project, y1_node
from tests.plan_helpers import PDF, PLAN_TITLE, PNG, complete_plan
from tests.progress_fixtures import LATE, approved_project
from tests.progress_fixtures import people as progress_people
from tests.test_api_plans_progress import _count
from tests.test_api_projects import client_for
from tests.test_projects_pages import english, form_data, page_text
from workflow import engine

pytestmark = pytest.mark.django_db
API = "/api/v1"


@pytest.fixture
def who(agencies, settings, tmp_path) -> SimpleNamespace:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return progress_people(agencies)


def plan_payload(agency, **extra) -> dict:
    """A plan that passes every submission check once its PDF is uploaded, as JSON."""
    secondary = Node.objects.filter(kind=Kind.STRATEGY).order_by("number").first()
    return {
        "agency": agency.pk, "plan_type": "action_annual", "reference": "PL-API-1",
        "title": PLAN_TITLE, "year_from": 2568, "year_to": 2568, "approved_by": "head",
        "approved_on": "2024-09-15", "objectives": "เพื่อเพิ่มมูลค่าสินค้าเกษตรแปรรูป",
        "targets": [{"order": 1, "name": "วิสาหกิจชุมชนแปรรูปได้มาตรฐาน",
                     "indicator": "จำนวนวิสาหกิจชุมชน", "unit": "กลุ่ม",
                     "values": [{"fiscal_year": 2568, "value": "50"}]}],
        "links": [{"node": y1_node().pk, "is_primary": True},
                  {"node": secondary.pk, "is_primary": False}],
        **extra,
    }  # fmt: skip


def upload(name: str, content: bytes, kind: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, kind)


# --- plans ---------------------------------------------------------------------------------------


def test_a_plan_is_entered_its_pdf_uploaded_and_submitted_over_the_api(who, agencies):
    staff = client_for(who.staff)
    created = staff.post(f"{API}/plans/", plan_payload(agencies["doae"]), format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "draft" and body["version"] == 1 and not body["has_document"]
    assert [(t["name"], t["values"]) for t in body["targets"]] == [
        ("วิสาหกิจชุมชนแปรรูปได้มาตรฐาน", [{"fiscal_year": 2568, "value": "50"}])
    ]
    assert (body["links"][0]["node_code"], body["links"][0]["is_primary"]) == ("030401", True)
    plan_id = body["id"]

    # Not submittable without its document: the problem names the field.
    refused = staff.post(f"{API}/plans/{plan_id}/submit/", {}, format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"]["document"] == ["Attach the plan document (PDF)."]

    # The document endpoint checks the content, not the name.
    doc = f"{API}/plans/{plan_id}/document/"
    fake = staff.post(doc, {"file": upload("แผน.pdf", PNG), "version": 1}, format="multipart")
    assert fake.status_code == 400
    assert fake.json()["errors"]["file"] == ["The plan document must be a PDF file."]
    sent = staff.post(doc, {"file": upload("แผน.pdf", PDF), "version": 1}, format="multipart")
    assert sent.status_code == 200 and sent.json()["has_document"] and sent.json()["version"] == 2
    download = staff.get(f"{API}/plans/{plan_id}/document/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == PDF

    submitted = staff.post(f"{API}/plans/{plan_id}/submit/", {}, format="json")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    plan = Plan.objects.get(pk=plan_id)
    assert [e.action for e in engine.timeline(plan)] == ["create", "submit"]


def test_plan_errors_name_the_field_in_thai_or_english(who, agencies):
    doae = agencies["doae"]
    bad = plan_payload(doae, year_from=2569, year_to=2568)
    bad["targets"][0]["values"] = [{"fiscal_year": 2025, "value": "50"}]
    bad["links"] = [{"node": Node.objects.filter(kind=Kind.STRATEGY).first().pk,
                     "is_primary": True}]  # fmt: skip
    errors = client_for(who.staff).post(f"{API}/plans/", bad, format="json").json()["errors"]
    assert errors == {
        "year_to": ["The period ends before it starts."],
        "targets.0.values": ["Use Buddhist-era fiscal years (e.g. 2568, not 2025)."],
        "links": ["The primary link must be a master-plan target (Y2) or a sub-plan target "
                  "(Y1)."],
    }  # fmt: skip
    thai = client_for(who.staff, "th").post(f"{API}/plans/", bad, format="json").json()
    assert thai["errors"]["year_to"] == ["ปีสิ้นสุดอยู่ก่อนปีเริ่มต้น"]
    two = plan_payload(doae)
    two["links"][1]["is_primary"] = True
    errors = client_for(who.staff).post(f"{API}/plans/", two, format="json").json()["errors"]
    assert errors == {"links": ["Only one link can be the primary link."]}
    assert not Plan.objects.exists()


def test_a_plan_change_needs_the_version_read_and_after_a_return_a_reason(who, agencies):
    plan = complete_plan(agencies["doae"], who.staff)
    staff = client_for(who.staff)
    url = f"{API}/plans/{plan.pk}/"
    target = plan.targets.first()
    changed = staff.patch(url, {"version": 1, "title": "แผนปรับปรุง", "targets": [
        {"id": target.pk, "name": target.name, "indicator": target.indicator, "unit": "กลุ่ม",
         "values": [{"fiscal_year": 2568, "value": "60"}]}]}, format="json")  # fmt: skip
    assert changed.status_code == 200, changed.json()
    assert changed.json()["version"] == 2
    assert [(t["id"], t["values"][0]["value"]) for t in changed.json()["targets"]] == [
        (target.pk, "60")
    ]  # the target changed in place; the other one was removed
    theirs = complete_plan(agencies["doae"], who.staff, reference="PL-2").targets.first()
    wrong = staff.patch(url, {"version": 2, "targets": [{"id": theirs.pk, "name": "x"}]},
                        format="json")  # fmt: skip
    assert wrong.json()["errors"] == {"targets.0.id": ["This target does not belong to the plan."]}
    stale = staff.patch(url, {"version": 1, "title": "ทับของคนอื่น"}, format="json")
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"

    engine.perform(plan, Action.SUBMIT, who.staff)
    engine.perform(plan, Action.RETURN, who.approver, "เพิ่มตัวชี้วัด")
    no_reason = staff.patch(url, {"version": 4, "title": "แผนฉบับใหม่"}, format="json")
    assert no_reason.status_code == 400
    assert no_reason.json()["errors"] == {"change_reason": ["Say why you change this plan."]}
    ok = staff.patch(url, {"version": 4, "title": "แผนฉบับใหม่",
                           "change_reason": "ตามข้อสังเกต"}, format="json")  # fmt: skip
    assert ok.status_code == 200 and ok.json()["title"] == "แผนฉบับใหม่"
    change = engine.change_history(plan).get()
    assert change.reason == "ตามข้อสังเกต" and any(
        v["new"] == "แผนฉบับใหม่" for v in change.changes.values())  # fmt: skip


def test_the_api_and_the_plan_form_give_the_same_messages_for_the_same_bad_input(
    who, agencies, client
):
    from tests.test_plans_pages import _new_plan_data

    client.force_login(who.staff)
    english(client)
    browser = client.post("/plans/new/", _new_plan_data(
        client, agencies, year_from=["2569"], year_to=["2568"],
        **{"targets-0-values": ["2025: 50"]}))  # fmt: skip
    form = browser.context["form"]
    targets = browser.context["targets"]
    api = client_for(who.staff).post(f"{API}/plans/", plan_payload(
        agencies["doae"], year_from=2569, year_to=2568, targets=[
            {"name": "วิสาหกิจ", "values": [{"fiscal_year": 2025, "value": "50"}]}]),
        format="json").json()["errors"]  # fmt: skip
    assert form.errors["year_to"] == api["year_to"]
    assert targets.forms[0].errors["values"] == api["targets.0.values"]
    assert not Plan.objects.exists()

    # A change after a return without a reason: the form and the API say the same.
    plan = complete_plan(agencies["doae"], who.staff)
    engine.perform(plan, Action.SUBMIT, who.staff)
    engine.perform(plan, Action.RETURN, who.approver, "เพิ่มตัวชี้วัด")
    edit = form_data(client.get(f"/plans/{plan.pk}/edit/"), "plan-form")
    edit["title"] = ["แผนฉบับใหม่"]
    browser = client.post(f"/plans/{plan.pk}/edit/", edit)
    api = client_for(who.staff).patch(f"{API}/plans/{plan.pk}/", {
        "version": plan.version, "title": "แผนฉบับใหม่"}, format="json").json()  # fmt: skip
    assert browser.context["form"].errors["change_reason"] == api["errors"]["change_reason"]
    assert api["errors"]["change_reason"][0] in page_text(browser)


def test_another_agency_cannot_enter_or_change_plans(who, agencies):
    plan = complete_plan(agencies["doae"], who.staff)
    other = client_for(who.other_staff)
    assert other.post(f"{API}/plans/", plan_payload(agencies["doae"]),
                      format="json").status_code == 403  # fmt: skip
    assert other.patch(f"{API}/plans/{plan.pk}/", {"version": 1, "title": "x"},
                       format="json").status_code == 404  # fmt: skip
    assert other.post(f"{API}/plans/{plan.pk}/document/", {"file": upload("a.pdf", PDF)},
                      format="multipart").status_code == 404  # fmt: skip
    analyst = client_for(who.analyst)
    engine.perform(plan, Action.SUBMIT, who.staff)
    assert analyst.patch(f"{API}/plans/{plan.pk}/", {"version": 2, "title": "x"},
                         format="json").status_code == 403  # fmt: skip


# --- progress reports ----------------------------------------------------------------------------


@pytest.fixture
def report(who, agencies) -> ProgressReport:
    project = approved_project(agencies["doae"], who)
    return progress_services.start_report(project, who.staff, "quarterly", 2568, 1, today=LATE)


def _rows(body: dict) -> tuple[int, int]:
    return body["activities"][0]["activity"], body["kpis"][0]["kpi"]


def test_a_quarterly_report_is_filled_and_submitted_over_the_api(who, report):
    staff = client_for(who.staff)
    url = f"{API}/progress-reports/{report.pk}/"
    activity, kpi = _rows(staff.get(url).json())
    filled = staff.patch(url, {
        "version": 1, "problems": "ฝนตกหนัก", "next_steps": "อบรมรุ่นที่ 2",
        "activities": [{"activity": activity, "state": "in_progress", "percent": 40}],
        "budget": [{"source": "state", "disbursed": "250000.00", "cumulative": "250000.00"}],
        "kpis": [{"kpi": kpi, "actual_value": "12 กลุ่ม"}],
    }, format="json")  # fmt: skip
    assert filled.status_code == 200, filled.json()
    body = filled.json()
    assert body["version"] == 2 and body["problems"] == "ฝนตกหนัก"
    assert (body["activities"][0]["state"], body["activities"][0]["percent"]) == (
        "in_progress", 40)  # fmt: skip
    state = next(b for b in body["budget"] if b["source"] == "state")
    assert (state["disbursed"], state["cumulative"]) == ("250000.00", "250000.00")
    assert body["kpis"][0]["actual_value"] == "12 กลุ่ม"
    done = staff.post(f"{url}submit/", {}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "submitted"


def test_report_errors_name_the_row_and_field(who, report):
    staff = client_for(who.staff)
    url = f"{API}/progress-reports/{report.pk}/"
    activity, kpi = _rows(staff.get(url).json())
    shape = staff.patch(url, {"version": 1, "activities": [
        {"activity": activity, "state": "flying", "percent": 140}]}, format="json")  # fmt: skip
    assert set(shape.json()["errors"]) == {"activities.0.state", "activities.0.percent"}
    unknown = staff.patch(url, {"version": 1, "outcomes_achieved": "ดี",
                                "kpis": [{"kpi": kpi + 999, "actual_value": "1"}]},
                          format="json")  # fmt: skip
    assert unknown.json()["errors"] == {
        "outcomes_achieved": ["Only a closing report records outcomes and lessons."],
        "kpis.0.kpi": ["The report has no row for this KPI."],
    }
    staff.patch(url, {"version": 1, "kpis": [{"kpi": kpi, "actual_value": "12 คน"}],
                      "budget": [{"source": "state", "disbursed": "100", "cumulative": "50"}]},
                format="json")  # fmt: skip
    refused = staff.post(f"{url}submit/", {}, format="json")
    assert refused.status_code == 400
    errors = refused.json()["errors"]
    assert errors["kpis.0.actual_value"] == ["Give a number in the KPI's unit (กลุ่ม), e.g. 35."]
    assert "budget.0.cumulative" in errors
    thai = client_for(who.staff, "th").post(f"{url}submit/", {}, format="json").json()
    assert "กลุ่ม" in thai["errors"]["kpis.0.actual_value"][0]
    assert thai["errors"]["kpis.0.actual_value"] != errors["kpis.0.actual_value"]


def test_the_api_and_the_report_form_give_the_same_messages_after_a_return(who, report, client):
    from tests.progress_fixtures import fill

    fill(report, "100000", "100000")
    engine.perform(report, Action.SUBMIT, who.staff)
    engine.perform(report, Action.RETURN, who.approver, "โปรดแนบภาพถ่าย")
    client.force_login(who.staff)
    english(client)
    data = form_data(client.get(f"/progress/{report.pk}/edit/"), "report-form")
    data["kpis-0-actual_value"] = ["12"]
    browser = client.post(f"/progress/{report.pk}/edit/", data)
    api = client_for(who.staff).patch(f"{API}/progress-reports/{report.pk}/", {
        "version": report.version, "kpis": [{"kpi": report.kpi_rows.get().kpi_id,
                                             "actual_value": "12"}]}, format="json")  # fmt: skip
    assert api.status_code == 400
    assert browser.context["form"].errors["change_reason"] == api.json()["errors"]["change_reason"]
    stale = client_for(who.staff).patch(f"{API}/progress-reports/{report.pk}/", {
        "version": 1, "change_reason": "x"}, format="json")  # fmt: skip
    assert stale.status_code == 409


def test_a_closing_report_records_outcomes_lessons_and_the_final_disbursement(who, agencies):
    project = approved_project(agencies["doae"], who)
    staff = client_for(who.staff)
    started = staff.post(f"{API}/progress-reports/", {"project": project.pk, "kind": "closing"},
                         format="json")  # fmt: skip
    assert started.status_code == 201, started.json()
    body = started.json()
    url = f"{API}/progress-reports/{body['id']}/"
    activity, kpi = _rows(body)
    filled = staff.patch(url, {
        "version": body["version"], "outcomes_achieved": "วิสาหกิจชุมชน 50 กลุ่มได้มาตรฐาน",
        "lessons_learned": "ควรเริ่มอบรมก่อนฤดูเก็บเกี่ยว",
        "activities": [{"activity": a["activity"], "state": "done", "percent": 100}
                       for a in body["activities"]],
        "budget": [{"source": "state", "disbursed": "0", "cumulative": "950000.00"}],
        "kpis": [{"kpi": kpi, "actual_value": "50"}],
    }, format="json")  # fmt: skip
    assert filled.status_code == 200, filled.json()
    assert filled.json()["outcomes_achieved"].startswith("วิสาหกิจ")
    submitted = staff.post(f"{url}submit/", {}, format="json")
    assert submitted.status_code == 200, submitted.json()
    accepted = client_for(who.approver).post(f"{url}approve/", {}, format="json")
    assert accepted.json()["status"] == "approved"
    assert activity


# --- attachments -----------------------------------------------------------------------------


def test_project_attachments_are_listed_uploaded_downloaded_and_removed(who, agencies):
    project = complete_project(agency=agencies["doae"], created_by=who.staff)
    staff = client_for(who.staff)
    url = f"{API}/projects/{project.pk}/attachments/"
    sent = staff.post(url, {"file": upload("รายงาน.pdf", PDF)}, format="multipart")
    assert sent.status_code == 201, sent.json()
    assert (sent.json()["name"], sent.json()["content_type"]) == ("รายงาน.pdf", "application/pdf")
    exe = staff.post(url, {"file": upload("a.pdf", b"MZ\x90\x00" + b"\x00" * 100)},
                     format="multipart")  # fmt: skip
    assert exe.status_code == 400 and "not a PDF, image" in exe.json()["errors"]["file"][0]
    listed = staff.get(url).json()
    assert [a["name"] for a in listed["results"]] == ["รายงาน.pdf"]
    got = staff.get(listed["results"][0]["download"])
    assert got.status_code == 200 and b"".join(got.streaming_content) == PDF
    assert client_for(who.other_staff).get(url).status_code == 404
    assert client_for(who.analyst).get(url).status_code == 404  # a draft
    gone = staff.delete(f"{url}{sent.json()['id']}/")
    assert gone.status_code == 204 and not Attachment.objects.exists()


def test_report_attachments_follow_the_report_and_its_status(who, report, settings):
    settings.ATTACHMENT_MAX_BYTES = 1000
    staff = client_for(who.staff)
    url = f"{API}/progress-reports/{report.pk}/attachments/"
    big = staff.post(url, {"file": upload("a.pdf", PDF + b" " * 2000)}, format="multipart")
    assert big.status_code == 400 and "the limit is" in big.json()["errors"]["file"][0]
    png = staff.post(url, {"file": upload("ภาพ.png", PNG, "image/png")}, format="multipart")
    assert png.status_code == 201 and png.json()["content_type"] == "image/png"
    report.status = Status.SUBMITTED
    report.save()
    again = staff.post(url, {"file": upload("b.png", PNG, "image/png")}, format="multipart")
    assert again.status_code == 403
    assert client_for(who.approver).get(url).json()["count"] == 1


# --- constant queries --------------------------------------------------------------------------


def test_attachment_and_report_job_lists_use_a_constant_number_of_queries(who, report):
    from reports.models import ReportJob

    project = report.project
    for i in range(6):
        for owner in (project, report):
            kind = Attachment if owner is project else report.attachments.model
            key = "project" if owner is project else "report"
            kind.objects.create(**{key: owner}, file=f"x/{i}.pdf", name=f"{i}.pdf",
                                content_type="application/pdf", size=3,
                                uploaded_by=who.staff)  # fmt: skip
        ReportJob.objects.create(owner=who.staff, report="portfolio", format="xlsx")
    staff = client_for(who.staff)
    staff.get(f"{API}/me/")
    for url in (f"/projects/{project.pk}/attachments/",
                f"/progress-reports/{report.pk}/attachments/", "/report-jobs/"):  # fmt: skip
        assert _count(staff, f"{API}{url}?page_size=1") == _count(
            staff, f"{API}{url}?page_size=50"), url  # fmt: skip
