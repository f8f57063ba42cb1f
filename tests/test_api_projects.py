"""The REST API as an agency's own system uses it: tokens, projects with their rows and links,
the workflow actions, optimistic locking, the batch upsert, errors in the caller's language
and constant query counts on lists."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from agencies.models import Membership
from api.models import ApiToken, hash_token
from core.states import Status
from projects.models import Project
from tests.factories import ProjectFactory, complete_project, member, y1_node
from workflow import engine

pytestmark = pytest.mark.django_db
R = Membership.Role
API = "/api/v1"


@pytest.fixture
def people(agencies, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return {
        "staff": member(R.STAFF, agencies["doae"], username="api_staff"),
        "approver": member(R.AGENCY_APPROVER, agencies["doae"], username="api_approver"),
        "ministry": member(R.MINISTRY_APPROVER, agencies["moac"], username="api_ministry"),
        "analyst": member(R.ANALYST, agencies["nesdc"], username="api_analyst"),
        "other_staff": member(R.STAFF, agencies["doh"], username="api_other"),
    }


def client_for(user, lang: str = "en") -> APIClient:
    """A client authenticated by a real API token, as an agency's system is."""
    _row, token = ApiToken.issue(user, "test")
    client = APIClient(HTTP_ACCEPT_LANGUAGE=lang)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def full_payload(agency, **extra) -> dict:
    """A complete project (it passes every submission check), as JSON."""
    node = y1_node()
    return {
        "agency": agency.pk, "fiscal_year": 2568, "kind": "project", "reference": "DOAE-68-001",
        "title": "โครงการส่งเสริมการแปรรูปผลผลิตทางการเกษตร",
        "responsible_name": "นางสาวสมใจ ใฝ่ดี", "contact_phone": "02 123 4567",
        "start_date": "2024-10-01", "end_date": "2025-09-30",
        "rationale": "เกษตรกรขาดความรู้ในการแปรรูปผลผลิต", "objectives": "เพิ่มมูลค่าสินค้าเกษตร",
        "target_group": "วิสาหกิจชุมชน 50 กลุ่ม", "expected_outcomes": "มูลค่าเพิ่มขึ้นร้อยละ 10",
        "total_budget": "1000000.00", "nationwide": False, "provinces": ["50", "10"],
        "kpis": [{"kind": "output", "name": "กลุ่มเกษตรกรที่ได้รับการพัฒนา", "unit": "กลุ่ม",
                  "target_value": "50"}],
        "activities": [
            {"order": 1, "name": "อบรมการแปรรูป", "start_date": "2024-11-01",
             "end_date": "2025-03-31", "budget": "600000"},
            {"order": 2, "name": "ตลาดนัดสินค้าแปรรูป", "start_date": "2025-04-01",
             "end_date": "2025-08-31", "budget": "400000"},
        ],
        "budget_lines": [{"source": "state", "fiscal_year": 2568, "amount": "1000000.00"}],
        "primary_link": {"node": node.pk, "factor": None},
        "secondary_links": [],
        **extra,
    }  # fmt: skip


def test_staff_creates_a_project_and_takes_it_through_both_approvals(people, agencies):
    staff, approver = client_for(people["staff"]), client_for(people["approver"])
    created = staff.post(f"{API}/projects/", full_payload(agencies["doae"]), format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "draft" and body["version"] == 1
    assert body["allowed_actions"] == ["edit", "submit"]
    assert body["primary_link"]["node_code"] == "030401"
    assert sorted(body["provinces"]) == ["10", "50"]
    assert [a["name"] for a in body["activities"]] == ["อบรมการแปรรูป", "ตลาดนัดสินค้าแปรรูป"]
    pk = body["id"]
    # The approver sees it only once it is submitted, and may not edit it.
    assert approver.get(f"{API}/projects/{pk}/").json()["allowed_actions"] == []

    submitted = staff.post(f"{API}/projects/{pk}/submit/", {"version": 1}, format="json")
    assert submitted.status_code == 200, submitted.json()
    assert submitted.json()["status"] == "submitted"
    assert submitted.json()["allowed_actions"] == ["withdraw"]
    assert approver.get(f"{API}/projects/{pk}/").json()["allowed_actions"] == [
        "approve", "return"]  # fmt: skip
    assert [p["id"] for p in approver.get(f"{API}/projects/queue/").json()["results"]] == [pk]

    no_comment = approver.post(f"{API}/projects/{pk}/return/", {}, format="json")
    assert no_comment.status_code == 400
    assert "comment" in no_comment.json()["errors"]
    returned = approver.post(f"{API}/projects/{pk}/return/", {"comment": "แก้ตัวชี้วัด"},
                             format="json")  # fmt: skip
    assert returned.json()["status"] == "returned"

    version = staff.get(f"{API}/projects/{pk}/").json()["version"]
    no_reason = staff.patch(f"{API}/projects/{pk}/", {"version": version, "title": "ใหม่"},
                            format="json")  # fmt: skip
    assert no_reason.status_code == 400 and "change_reason" in no_reason.json()["errors"]
    fixed = staff.patch(f"{API}/projects/{pk}/", {
        "version": version, "kpis": [{"kind": "output", "name": "กลุ่มที่ผ่านการอบรม",
                                      "unit": "กลุ่ม", "target_value": "50"}],
        "change_reason": "ตามที่ผู้อนุมัติแนะนำ"}, format="json")  # fmt: skip
    assert fixed.status_code == 200, fixed.json()
    assert fixed.json()["kpis"][0]["name"] == "กลุ่มที่ผ่านการอบรม"
    assert len(fixed.json()["activities"]) == 2  # rows not sent are kept
    assert staff.post(f"{API}/projects/{pk}/submit/", {}, format="json").status_code == 200
    assert approver.post(f"{API}/projects/{pk}/approve/", {}, format="json").status_code == 200
    final = client_for(people["ministry"]).post(f"{API}/projects/{pk}/approve/", {}, format="json")
    assert final.json()["status"] == "approved"
    project = Project.objects.get(pk=pk)
    assert [e.action for e in engine.timeline(project)] == [
        "create", "submit", "return", "submit", "approve", "approve"]  # fmt: skip
    assert engine.change_history(project).get().reason == "ตามที่ผู้อนุมัติแนะนำ"


def test_a_stale_version_is_a_409_and_changes_nothing(people, agencies):
    staff = client_for(people["staff"])
    pk = staff.post(f"{API}/projects/", full_payload(agencies["doae"]), format="json").json()["id"]
    first = staff.patch(f"{API}/projects/{pk}/", {"version": 1, "title": "ชื่อใหม่"}, format="json")
    assert first.status_code == 200 and first.json()["version"] == 2
    stale = staff.patch(f"{API}/projects/{pk}/", {"version": 1, "title": "ทับ"}, format="json")
    assert stale.status_code == 409
    assert stale.json()["code"] == "conflict"
    assert "Someone else changed this item" in stale.json()["detail"]
    assert Project.objects.get(pk=pk).title == "ชื่อใหม่"
    missing = staff.patch(f"{API}/projects/{pk}/", {"title": "ไม่มีเวอร์ชัน"}, format="json")
    assert missing.status_code == 400 and "version" in missing.json()["errors"]


def test_submitting_an_incomplete_project_names_every_field_in_the_callers_language(
    people, agencies
):
    payload = {"agency": agencies["doae"].pk, "fiscal_year": 2568, "title": "ร่างไม่ครบ"}
    en = client_for(people["staff"], "en-US,en;q=0.9")
    pk = en.post(f"{API}/projects/", payload, format="json").json()["id"]
    response = en.post(f"{API}/projects/{pk}/submit/", {}, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {"kpis", "activities", "budget_lines", "primary_link.node", "start_date"} <= set(errors)
    assert errors["kpis"] == ["Add at least one KPI."]
    assert response["Content-Language"] == "en"

    th = client_for(people["staff"], "th-TH,th;q=0.9,en;q=0.5")
    thai = th.post(f"{API}/projects/{pk}/submit/", {}, format="json")
    assert thai.json()["errors"]["kpis"] == ["กรุณาเพิ่มตัวชี้วัดอย่างน้อยหนึ่งตัว"]
    assert Project.objects.get(pk=pk).status == Status.DRAFT

    bad = en.post(f"{API}/projects/", {**payload, "kpis": [{"name": ""}], "total_budget": "-1"},
                  format="json")  # fmt: skip
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"kpis.0.name", "total_budget"}
    assert bad.json()["errors"]["kpis.0.name"] == ["This field may not be blank."]


def test_pages_stay_thai_whatever_accept_language_says(people, client):
    client.force_login(people["staff"])
    page = client.get("/account/api-tokens/", HTTP_ACCEPT_LANGUAGE="en")
    assert page["Content-Language"] == "th"


def test_a_token_is_shown_once_stored_as_a_hash_and_revocable(people, client):
    client.force_login(people["staff"])
    page = client.post("/account/api-tokens/", {"name": "ระบบโครงการของกรม"})
    token = page.context["new_token"]
    assert token.startswith("emn_") and token in page.content.decode()
    row = ApiToken.objects.get(user=people["staff"])
    assert row.key_hash == hash_token(token) and token not in row.key_hash
    assert token not in client.get("/account/api-tokens/").content.decode()

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.get(f"{API}/me/").json()["username"] == "api_staff"
    client.post(f"/account/api-tokens/{row.pk}/revoke/")
    revoked = api.get(f"{API}/me/", HTTP_ACCEPT_LANGUAGE="en")
    assert revoked.status_code == 401
    assert revoked.json()["detail"] == "The API token is not valid or was revoked."
    assert APIClient().get(f"{API}/projects/").status_code == 401
    # Somebody else's token cannot be revoked through the page.
    other = ApiToken.issue(people["analyst"], "x")[0]
    assert client.post(f"/account/api-tokens/{other.pk}/revoke/").status_code == 404


def _batch(agency, *refs, **changes) -> dict:
    return {"projects": [
        full_payload(agency, reference=ref, title=f"โครงการ {ref}", **changes) for ref in refs
    ]}  # fmt: skip


def test_bulk_upsert_is_idempotent_and_all_or_nothing(people, agencies):
    staff = client_for(people["staff"])
    doae = agencies["doae"]
    first = staff.post(f"{API}/projects/bulk/", _batch(doae, "A-1", "A-2"), format="json")
    assert first.status_code == 200, first.json()
    assert (first.json()["created"], first.json()["unchanged"]) == (2, 0)
    events = engine.timeline(Project.objects.get(reference="A-1")).count()

    again = staff.post(f"{API}/projects/bulk/", _batch(doae, "A-1", "A-2"), format="json")
    assert (again.json()["created"], again.json()["updated"], again.json()["unchanged"]) == (
        0, 0, 2)  # fmt: skip
    assert {p.reference: p.version for p in Project.objects.all()} == {"A-1": 1, "A-2": 1}
    assert engine.timeline(Project.objects.get(reference="A-1")).count() == events

    changed = _batch(doae, "A-1", "A-2")
    changed["projects"][1]["total_budget"] = "900000.00"
    result = staff.post(f"{API}/projects/bulk/", changed, format="json").json()
    assert [r["result"] for r in result["results"]] == ["unchanged", "updated"]
    assert Project.objects.get(reference="A-2").version == 2

    # One wrong item (another agency's) and one new: nothing is written.
    wrong = _batch(doae, "A-3")
    wrong["projects"].append(full_payload(agencies["doh"], reference="H-1"))
    refused = staff.post(f"{API}/projects/bulk/", wrong, format="json")
    assert refused.status_code == 400
    assert list(refused.json()["errors"]) == ["projects.1.non_field_errors"]
    assert not Project.objects.filter(reference__in=["A-3", "H-1"]).exists()

    twice = staff.post(f"{API}/projects/bulk/", _batch(doae, "A-4", "A-4"), format="json")
    assert twice.status_code == 400 and "projects.1.reference" in twice.json()["errors"]
    assert not Project.objects.filter(reference="A-4").exists()


def test_a_duplicate_reference_is_a_clear_400_not_a_crash(people, agencies):
    staff = client_for(people["staff"])
    staff.post(f"{API}/projects/", full_payload(agencies["doae"]), format="json")
    again = staff.post(f"{API}/projects/", full_payload(agencies["doae"]), format="json")
    assert again.status_code == 400
    assert again.json()["errors"]["reference"] == [
        "Your agency already has a project with this reference."]  # fmt: skip


# --- constant queries --------------------------------------------------------------------------


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.json()
    return len(ctx.captured_queries)


def test_list_endpoints_use_a_constant_number_of_queries(people, agencies):
    for i in range(12):
        complete_project(agency=agencies["doae"], created_by=people["staff"],
                         reference=f"Q-{i}")  # fmt: skip
    ProjectFactory(agency=agencies["doae"], created_by=people["staff"])
    staff = client_for(people["staff"])
    staff.get(f"{API}/me/")  # the token's first use is recorded once; count after it
    for url in ("/projects/", "/projects/queue/", "/agencies/", "/nodes/?edition=mp-2566",
                "/editions/", "/projects/?q=แปรรูป&ordering=-title"):  # fmt: skip
        sep = "&" if "?" in url else "?"
        small = _count(staff, f"{API}{url}{sep}page_size=2")
        large = _count(staff, f"{API}{url}{sep}page_size=13")
        assert small == large, url
