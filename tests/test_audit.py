"""Every admin action leaves an entry in the admin's log (LogEntry), not only the admin's own
add/change/delete pages: who, when, on what, and a sentence saying what happened (the file and
its row counts for an import). The sentence is Thai whatever language the actor reads, and shows
on the object's history page in the admin."""

from __future__ import annotations

import re

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agencies.models import Membership
from api.models import ApiToken
from plans.models import Plan
from strategy import importing
from strategy.models import Edition, Node
from strategy.resources import COLUMNS
from tests.factories import UserFactory, member
from tests.test_plans_import import XLSX, workbook
from tests.test_strategy_import import GOOD, csv_bytes

pytestmark = pytest.mark.django_db
R = Membership.Role


@pytest.fixture
def admin(client, settings, tmp_path):
    """A signed-in administrator who reads the admin in English."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return user


def logged(user) -> list[LogEntry]:
    return list(LogEntry.objects.filter(user=user).select_related("content_type").order_by("id"))


def about(entry: LogEntry) -> tuple:
    """What an entry says: the kind of action, on which object, and its sentence."""
    return entry.action_flag, entry.content_type.model, entry.object_repr, entry.change_message


@pytest.mark.parametrize("bulk", [False, True], ids=["per-row", "bulk"])
def test_a_confirmed_strategy_import_is_logged_with_the_file_and_its_counts(
    client, admin, monkeypatch, bulk
):
    # The bulk path takes files from BULK_FROM_ROWS rows on: from the first row, here.
    monkeypatch.setattr(importing, "BULK_FROM_ROWS", 1 if bulk else 10**6)
    url = reverse("admin:strategy_node_import")
    upload = SimpleUploadedFile("แผนแม่บท-17.csv", csv_bytes(GOOD))
    token = client.post(url, {"file": upload}).context["token"]
    assert logged(admin) == []  # the dry run writes nothing, and logs nothing

    assert client.post(url, {"token": token}).status_code == 302
    edition = Edition.objects.get(code="mp-2566")
    [entry] = logged(admin)
    assert about(entry) == (
        CHANGE, "edition", str(edition),
        "นำเข้าไฟล์ “แผนแม่บท-17.csv”: ใหม่ 2 แถว เปลี่ยนแปลง 0 แถว ไม่เปลี่ยนแปลง 0 แถว",
    )  # fmt: skip
    assert entry.object_id == str(edition.pk)
    history = client.get(reverse("admin:strategy_edition_history", args=[edition.pk]))
    assert "แผนแม่บท-17.csv" in history.content.decode()


def test_the_rebuild_search_index_action_is_logged_on_each_edition(client, admin, monkeypatch):
    from strategy.admin import rebuild_search_index

    queued = []
    monkeypatch.setattr(rebuild_search_index, "delay", queued.append)  # no worker needed
    editions = list(Edition.objects.filter(code__in=["mp-2566", "nesdp-13"]).order_by("code"))
    response = client.post(
        reverse("admin:strategy_edition_changelist"),
        {"action": "rebuild_search_index", "_selected_action": [e.pk for e in editions]},
    )
    assert response.status_code == 302 and sorted(queued) == ["mp-2566", "nesdp-13"]
    assert sorted(about(e) for e in logged(admin)) == sorted(
        (CHANGE, "edition", str(e), "สั่งสร้างดัชนีค้นหาใหม่") for e in editions
    )


def _export(client, query: str = "") -> str:
    data = {"resource": "0", "format": "0"}
    data.update({f"noderesource_{c}": "on" for c in COLUMNS})
    response = client.post(reverse("admin:strategy_node_export") + query, data)
    assert response.status_code == 200
    return re.search(r'filename="(.+)"', response["Content-Disposition"])[1]


def test_an_export_is_logged_with_its_row_count_and_file_name(client, admin):
    edition = Edition.objects.get(code="mp-2566")
    file_name = _export(client, f"?edition__id__exact={edition.pk}")
    rows = Node.objects.filter(edition=edition).count()
    [entry] = logged(admin)
    assert about(entry) == (
        CHANGE, "edition", str(edition),
        f"ส่งออกข้อมูลโครงสร้างยุทธศาสตร์ {rows} แถว เป็นไฟล์ “{file_name}”",
    )  # fmt: skip

    # An export that matched nothing is logged too, on the hierarchy as a whole.
    _export(client, "?q=ไม่มีโหนดใดมีข้อความนี้")
    entry = logged(admin)[-1]
    assert (entry.content_type.model, entry.object_id) == ("node", None)
    assert entry.change_message.startswith("ส่งออกข้อมูลโครงสร้างยุทธศาสตร์ 0 แถว")


def test_issuing_and_revoking_an_api_token_are_logged(client, agencies):
    staff = member(R.STAFF, agencies["doae"])
    client.force_login(staff)
    client.post("/account/api-tokens/", {"name": "ระบบของกรม"})
    token = ApiToken.objects.get(user=staff)
    client.post(f"/account/api-tokens/{token.pk}/revoke/")
    client.post(f"/account/api-tokens/{token.pk}/revoke/")  # again: nothing more happens
    assert [(e.action_flag, e.object_id, e.change_message) for e in logged(staff)] == [
        (ADDITION, str(token.pk), "สร้างโทเค็น API “ระบบของกรม”"),
        (CHANGE, str(token.pk), "ยกเลิกโทเค็น API “ระบบของกรม”"),
    ]


def test_a_plan_import_is_logged_on_each_plan_with_the_workbook(client, agencies):
    staff = member(R.STAFF, agencies["doae"])
    client.force_login(staff)
    client.cookies["django_language"] = "en"
    upload = SimpleUploadedFile("แผน-2568.xlsx", workbook(), content_type=XLSX)
    token = client.post("/plans/import/", {"file": upload}).context["token"]
    assert logged(staff) == []
    assert client.post("/plans/import/", {"token": token}).status_code == 302
    sentence = "นำเข้าจากไฟล์ “แผน-2568.xlsx” (แผน 2 แผน เป้าหมาย 2 รายการ)"
    assert sorted(about(e) for e in logged(staff)) == sorted(
        (ADDITION, "plan", str(plan), sentence) for plan in Plan.objects.all()
    )
