"""Importing the strategy hierarchy from CSV / XLSX files: the service, the workbooks it hands
out and the admin pages around it. Every row of a file is new, changed, unchanged or an error
that names its line and column; a file with one bad row writes nothing."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from agencies.models import Membership
from strategy.importing import (
    ImportFileError,
    import_dataset,
    read_table,
    rejected_rows_workbook,
    template_workbook,
)
from strategy.models import KIND_RULES, Edition, Node
from strategy.resources import COLUMNS
from strategy.shipped import load_shipped
from tests.factories import AgencyFactory, UserFactory, member

R = Membership.Role
pytestmark = pytest.mark.django_db

SUB_PLAN = {
    "edition": "mp-2566",
    "kind": "sub_plan",
    "code": "1702",
    "parent_code": "17",
    "number": "2",
    "title_th": "การส่งเสริมสังคมสูงวัย",
    "title_en": "Ageing society",
}
Y1 = {
    "edition": "mp-2566",
    "kind": "y1",
    "code": "170201",
    "parent_code": "1702",
    "title_th": "ผู้สูงอายุมีคุณภาพชีวิตที่ดีขึ้นและมีหลักประกันทางรายได้",
    "source": "แผนแม่บท (17) ฉบับปรับปรุง",
}
GOOD = [SUB_PLAN, Y1]


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted on their English text; test_admin_speaks_thai checks the Thai."""
    with translation.override("en"):
        yield


# --- helpers ---------------------------------------------------------------------------------


def csv_bytes(rows, encoding="utf-8", columns=COLUMNS) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows, columns=COLUMNS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(columns))
    for row in rows:
        sheet.append([row.get(c, "") for c in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run(content: bytes, name: str = "nodes.csv", *, commit: bool):
    return import_dataset(read_table(content, name), commit=commit)


def statuses(report) -> list[tuple[int, str]]:
    return [(r.line, r.status) for r in report.rows]


def node(code: str, edition: str = "mp-2566") -> Node:
    return Node.objects.select_related("parent", "edition").get(edition__code=edition, code=code)


def exists(code: str, edition: str = "mp-2566") -> bool:
    return Node.objects.filter(edition__code=edition, code=code).exists()


def workbook_rows(content: bytes, sheet: str | None = None) -> list[list]:
    workbook = load_workbook(io.BytesIO(content))
    ws = workbook[sheet] if sheet else workbook.worksheets[0]
    return [list(r) for r in ws.iter_rows(values_only=True)]


# --- 1, 2: new, unchanged, changed -----------------------------------------------------------


def test_dry_run_reports_new_rows_and_writes_nothing():
    before = Node.objects.count()
    report = run(csv_bytes(GOOD), commit=False)
    assert statuses(report) == [(2, "new"), (3, "new")]
    assert report.counts == {"new": 2, "changed": 0, "unchanged": 0, "error": 0}
    assert not report.committed
    assert report.encoding == "UTF-8"
    assert Node.objects.count() == before
    assert not exists("1702") and not exists("170201")


def test_commit_writes_rows_under_their_parents_and_reimport_is_unchanged():
    before = Node.objects.count()
    report = run(csv_bytes(GOOD), commit=True)
    assert report.committed
    assert statuses(report) == [(2, "new"), (3, "new")]
    assert Node.objects.count() == before + 2

    sub_plan, y1 = node("1702"), node("170201")
    assert sub_plan.kind == "sub_plan" and sub_plan.parent == node("17")
    assert sub_plan.parent.kind == "master_plan"
    assert sub_plan.number == 2 and sub_plan.title_en == "Ageing society"
    assert y1.kind == "y1" and y1.parent == sub_plan
    assert y1.title_th == Y1["title_th"] and y1.source == Y1["source"]
    # The new target is found by the Thai search the way users look for it.
    assert y1 in Node.objects.search("ผู้สูงอายุ")

    again = run(csv_bytes(GOOD), commit=True)
    assert statuses(again) == [(2, "unchanged"), (3, "unchanged")]
    assert again.counts["unchanged"] == 2 and again.committed
    assert Node.objects.count() == before + 2


def test_rows_are_imported_parents_first_whatever_the_file_order():
    report = run(csv_bytes([Y1, SUB_PLAN]), commit=True)
    assert statuses(report) == [(2, "new"), (3, "new")]
    assert node("170201").parent == node("1702")


def test_changed_title_updates_the_row_in_place():
    run(csv_bytes(GOOD), commit=True)
    pk, count = node("170201").pk, Node.objects.count()
    edited = {**Y1, "title_th": "ผู้สูงอายุมีงานทำและมีรายได้เพียงพอ"}

    dry = run(csv_bytes([SUB_PLAN, edited]), commit=False)
    assert statuses(dry) == [(2, "unchanged"), (3, "changed")]
    assert node("170201").title_th == Y1["title_th"]

    report = run(csv_bytes([SUB_PLAN, edited]), commit=True)
    assert report.committed
    assert statuses(report) == [(2, "unchanged"), (3, "changed")]
    y1 = node("170201")
    assert y1.pk == pk and y1.title_th == edited["title_th"]
    assert Node.objects.count() == count


def test_shipped_row_can_be_updated_in_place():
    y1 = node("030401")
    row = {
        "edition": "mp-2566",
        "kind": "y1",
        "code": "030401",
        "parent_code": "0304",
        "title_th": y1.title_th + " (ปรับปรุง)",
        "source": y1.source,
    }
    report = run(csv_bytes([row]), commit=True)
    assert statuses(report) == [(2, "changed")]
    assert node("030401").pk == y1.pk
    assert node("030401").title_th.endswith("(ปรับปรุง)")
    assert node("030401").parent == node("0304")


# --- 3: encodings and formats ----------------------------------------------------------------

ENCODED = {
    "utf-8": (lambda: csv_bytes(GOOD), "nodes.csv", "UTF-8"),
    "utf-8-bom": (lambda: csv_bytes(GOOD, "utf-8-sig"), "nodes.csv", "UTF-8"),
    "tis-620": (lambda: csv_bytes(GOOD, "cp874"), "nodes.csv", "TIS-620"),
    "utf-16": (lambda: csv_bytes(GOOD, "utf-16"), "nodes.csv", "UTF-16"),
    "xlsx": (lambda: xlsx_bytes(GOOD), "nodes.xlsx", ""),
}


@pytest.mark.parametrize("variant", ENCODED)
def test_same_file_in_any_encoding_or_as_xlsx_imports_identically(variant):
    make, name, encoding = ENCODED[variant]
    report = run(make(), name, commit=True)
    assert report.encoding == encoding
    assert statuses(report) == [(2, "new"), (3, "new")]
    for row in GOOD:
        saved = node(row["code"])
        assert saved.parent.code == row["parent_code"]
        for column in ("kind", "title_th", "title_en", "source"):
            assert getattr(saved, column) == row.get(column, "")
    # The UTF-8 file now finds exactly what this variant wrote.
    assert statuses(run(csv_bytes(GOOD), commit=False)) == [(2, "unchanged"), (3, "unchanged")]


def test_semicolon_separated_csv_is_read():
    content = csv_bytes(GOOD).decode().replace(",", ";").encode()
    report = run(content, commit=False)
    assert statuses(report) == [(2, "new"), (3, "new")]


def test_csv_neither_utf8_nor_thai_is_refused():
    # latin-1 ü (0xFC) is not a character of cp874 at all.
    row = {**SUB_PLAN, "title_th": "", "title_en": "Muller"}
    content = csv_bytes([row]).replace(b"Muller", "Müller".encode("latin-1"))
    with pytest.raises(ImportFileError, match="characters could not be read"):
        read_table(content, "nodes.csv")


def test_latin1_cafe_is_refused_not_read_as_tis620():
    row = {**SUB_PLAN, "title_th": "", "title_en": "Cafe"}
    content = csv_bytes([row]).replace(b"Cafe", "Café".encode("latin-1"))
    with pytest.raises(ImportFileError, match="characters could not be read"):
        read_table(content, "nodes.csv")


# --- 4: one bad row writes nothing -----------------------------------------------------------

BAD_ROWS = {
    "unknown parent": (
        {**Y1, "code": "170202", "parent_code": "9999"},
        "parent_code",
        "Unknown parent code “9999” in edition mp-2566",
    ),
    "parent of the wrong kind": (
        {
            "edition": "mp-2566",
            "kind": "factor",
            "code": "F9901",
            "parent_code": "17",
            "title_th": "ปัจจัยทดสอบ",
        },
        "parent_code",
        "cannot sit under a Master plan (17)",
    ),
    "duplicate code": (
        {**SUB_PLAN, "title_th": "ชื่อซ้ำ"},
        "code",
        "Duplicate of row 2 in this file.",
    ),
    "unknown edition": (
        {**Y1, "edition": "mp-2599", "code": "170203", "parent_code": ""},
        "edition",
        "Unknown edition “mp-2599”",
    ),
    "unknown kind": (
        {**Y1, "kind": "target", "code": "170204"},
        "kind",
        "Unknown kind “target”",
    ),
    "kind of another plan family": (
        {
            "edition": "mp-2566",
            "kind": "sdg_goal",
            "code": "99",
            "parent_code": "",
            "title_th": "เป้าหมายทดสอบ",
        },
        "kind",
        "cannot belong to the edition mp-2566",
    ),
}


@pytest.mark.parametrize(
    "case",
    BAD_ROWS,
)
@pytest.mark.parametrize("commit", [False, True])
def test_one_bad_row_is_named_by_line_and_column_and_nothing_is_written(case, commit):
    bad, column, message = BAD_ROWS[case]
    before = Node.objects.count()
    report = run(csv_bytes([SUB_PLAN, bad, Y1]), commit=commit)

    assert not report.committed and report.has_errors
    assert [r.line for r in report.rejected] == [3]
    row = report.rejected[0]
    assert row.values["code"] == bad["code"]
    assert column in row.errors, row.errors
    assert message in " ".join(row.errors[column])
    assert f"{column}: " in row.error_text
    assert not any("Unexpected error" in m for ms in row.errors.values() for m in ms)
    assert {r.line: r.status for r in report.rows}[2] != "error"
    assert {r.line: r.status for r in report.rows}[4] != "error"
    assert Node.objects.count() == before
    assert not exists("1702") and not exists("170201")


def test_unknown_edition_message_lists_the_known_editions():
    bad = BAD_ROWS["unknown edition"][0]
    report = run(csv_bytes([bad]), commit=False)
    message = " ".join(report.rejected[0].errors["edition"])
    for code in Edition.objects.values_list("code", flat=True):
        assert code in message


def test_row_without_code_or_title_is_an_error():
    report = run(csv_bytes([{**SUB_PLAN, "code": "", "title_th": ""}]), commit=False)
    assert report.rejected[0].line == 2
    assert "needs a code or a Thai title" in report.rejected[0].error_text


def test_thai_message_still_names_the_offending_code():
    with translation.override("th"):
        report = run(csv_bytes([{**Y1, "parent_code": "9999"}]), commit=False)
        message = " ".join(report.rejected[0].errors["parent_code"])
    assert "9999" in message


# --- 5: whole-file errors --------------------------------------------------------------------

XLS_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def test_missing_required_column_is_named():
    columns = [c for c in COLUMNS if c != "parent_code"]
    with pytest.raises(ImportFileError) as exc:
        read_table(csv_bytes(GOOD, columns=columns), "nodes.csv")
    assert "Missing column(s): parent_code." in str(exc.value)


@pytest.mark.parametrize("content", [b"", b"  \r\n\r\n", b"\xef\xbb\xbf", b",,,\r\n,,\r\n"])
def test_empty_file_is_refused(content):
    with pytest.raises(ImportFileError, match=re.escape("The file is empty.")):
        read_table(content, "nodes.csv")


def test_oversized_file_is_refused(settings):
    settings.STRATEGY_IMPORT_MAX_BYTES = 200
    content = csv_bytes(GOOD)
    assert len(content) > 200
    with pytest.raises(ImportFileError, match=r"the limit is 0\.0 MB"):
        read_table(content, "nodes.csv")


def test_too_many_rows_is_refused(settings):
    settings.STRATEGY_IMPORT_MAX_ROWS = 2
    rows = [SUB_PLAN, Y1, {**Y1, "code": "170202"}]
    with pytest.raises(ImportFileError, match=re.escape("The file has 3 rows; the limit is 2.")):
        read_table(csv_bytes(rows), "nodes.csv")
    assert len(read_table(csv_bytes(GOOD), "nodes.csv").dataset) == 2


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n", "nodes.csv"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "nodes.csv"),
        (bytes(range(256)) * 4, "nodes.txt"),
        (b"edition,kind,code\nnot really a workbook", "nodes.xlsx"),
        (b"PK\x03\x04" + b"\x14" * 60, "nodes.xlsx"),
    ],
    ids=["pdf", "png", "binary", "csv-named-xlsx", "broken-zip"],
)
def test_binary_or_non_table_file_is_refused(content, name):
    with pytest.raises(ImportFileError, match="This file is not a table"):
        read_table(content, name)


def test_xls_file_is_refused():
    with pytest.raises(ImportFileError):
        read_table(XLS_HEADER + b"\x00" * 504, "nodes.xls")


def test_xls_file_gets_the_save_as_xlsx_advice():
    # A real OLE2 header: signature, zero CLSID, minor 0x3E, major 3, byte order 0xFFFE.
    header = XLS_HEADER + b"\x00" * 16 + b"\x3e\x00\x03\x00\xfe\xff\x09\x00"
    with pytest.raises(ImportFileError, match=r"\.xls\) files are not supported"):
        read_table(header + b"\xff" * 488, "nodes.xls")


# --- 7: rejected rows ------------------------------------------------------------------------

FORMULA_ROW = {**Y1, "code": "170205", "parent_code": "9999", "title_th": "=HYPERLINK(1+2)"}
BAD_KIND_ROW = {**Y1, "code": "170206", "parent_code": "17", "kind": "target"}


def test_rejected_rows_workbook_holds_only_failed_rows_with_messages():
    report = run(csv_bytes([SUB_PLAN, FORMULA_ROW, Y1, BAD_KIND_ROW]), commit=False)
    rows = workbook_rows(rejected_rows_workbook(report))
    assert rows[0] == [*COLUMNS, "errors", "line"]
    assert len(rows) == 3
    by_code = {r[2]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert set(by_code) == {"170205", "170206"}

    formula = by_code["170205"]
    assert formula["title_th"] == "'=HYPERLINK(1+2)"
    assert formula["parent_code"] == "9999" and formula["source"] == Y1["source"]
    assert formula["line"] == 3
    assert "parent_code" in formula["errors"] and "9999" in formula["errors"]

    kind = by_code["170206"]
    assert kind["kind"] == "target" and kind["title_th"] == Y1["title_th"]
    assert kind["line"] == 5
    assert "Unknown kind “target”" in kind["errors"]

    # No cell is a formula, and codes stay text.
    workbook = load_workbook(io.BytesIO(rejected_rows_workbook(report)))
    cells = [c for row in workbook.active.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    assert all(c.number_format == "@" for c in workbook.active["C"])


@pytest.mark.parametrize("drop_extra", [False, True])
def test_fixed_rejected_rows_can_be_uploaded_again(drop_extra):
    report = run(csv_bytes([SUB_PLAN, FORMULA_ROW, Y1, BAD_KIND_ROW]), commit=False)
    workbook = load_workbook(io.BytesIO(rejected_rows_workbook(report)))
    sheet = workbook.active
    header = [c.value for c in sheet[1]]
    col = {name: header.index(name) + 1 for name in header}
    for r in range(2, sheet.max_row + 1):
        code = sheet.cell(row=r, column=col["code"]).value
        if code == "170205":
            sheet.cell(row=r, column=col["parent_code"]).value = "17"
            sheet.cell(row=r, column=col["title_th"]).value = "ผู้สูงอายุเข้าถึงบริการสุขภาพ"
        if code == "170206":
            sheet.cell(row=r, column=col["kind"]).value = "y1"
    if drop_extra:
        sheet.delete_cols(col["errors"], 2)
    buffer = io.BytesIO()
    workbook.save(buffer)

    before = Node.objects.count()
    fixed = run(buffer.getvalue(), "strategy-import-rejected.xlsx", commit=True)
    assert fixed.committed
    assert statuses(fixed) == [(2, "new"), (3, "new")]
    assert fixed.ignored_columns == ([] if drop_extra else ["errors", "line"])
    assert Node.objects.count() == before + 2
    assert node("170205").parent == node("17")
    assert node("170205").title_th == "ผู้สูงอายุเข้าถึงบริการสุขภาพ"
    assert node("170206").kind == "y1" and node("170206").source == Y1["source"]


# --- 8: template workbook --------------------------------------------------------------------


def _list_values(workbook, formula: str) -> list:
    match = re.fullmatch(r"=?'?(\w+)'?!\$?([A-Z]+)\$?(\d+):\$?([A-Z]+)\$?(\d+)", formula)
    assert match, formula
    sheet, col, first, col2, last = match.groups()
    assert col == col2
    return [workbook[sheet][f"{col}{i}"].value for i in range(int(first), int(last) + 1)]


def test_template_workbook_has_columns_dropdowns_and_text_codes():
    workbook = load_workbook(io.BytesIO(template_workbook()))
    sheet = workbook.worksheets[0]
    assert [c.value for c in sheet[1]] == list(COLUMNS)
    assert sheet.max_row == 1

    letter = {name: chr(ord("A") + i) for i, name in enumerate(COLUMNS)}

    def validation_for(column: str):
        found = [
            dv
            for dv in sheet.data_validations.dataValidation
            if f"{letter[column]}2" in dv.sqref and dv.type == "list"
        ]
        assert len(found) == 1, column
        return found[0]

    editions = validation_for("edition")
    assert set(_list_values(workbook, editions.formula1)) == set(
        Edition.objects.values_list("code", flat=True)
    )
    assert editions.showErrorMessage
    kinds = validation_for("kind")
    assert set(_list_values(workbook, kinds.formula1)) == set(KIND_RULES)
    assert kinds.showErrorMessage
    # Deep enough for a real file.
    assert f"{letter['kind']}5000" in validation_for("kind").sqref

    for column in ("edition", "kind", "code", "parent_code"):
        assert sheet.column_dimensions[letter[column]].number_format == "@", column
        assert sheet[f"{letter[column]}1"].number_format == "@", column


def test_filled_in_template_imports():
    workbook = load_workbook(io.BytesIO(template_workbook()))
    sheet = workbook.worksheets[0]
    for row in GOOD:
        sheet.append([row.get(c, "") for c in COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = run(buffer.getvalue(), "template.xlsx", commit=True)
    assert statuses(report) == [(2, "new"), (3, "new")]
    assert node("170201").parent == node("1702")


# --- 9: admin pages --------------------------------------------------------------------------

IMPORT = "admin:strategy_node_import"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def admin_client(client, media):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    client.cookies["django_language"] = "en"
    return client


def upload(client, content: bytes, name: str = "nodes.csv"):
    return client.post(reverse(IMPORT), {"file": SimpleUploadedFile(name, content)})


def test_admin_import_page_shows_the_upload_form(admin_client):
    response = admin_client.get(reverse(IMPORT))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'type="file"' in html and 'enctype="multipart/form-data"' in html
    assert reverse("admin:strategy_node_import_template") in html


def test_admin_dry_run_then_confirm_writes_the_rows(admin_client):
    before = Node.objects.count()
    response = upload(admin_client, csv_bytes(GOOD))
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r"New: <strong>2</strong>", html)
    assert re.search(r"Errors: <strong>0</strong>", html)
    assert html.count('<tr class="row-new">') == 2
    assert "1702" in html and "170201" in html
    token = response.context["token"]
    assert f'name="token" value="{token}"' in html
    assert "Confirm import" in html
    assert Node.objects.count() == before

    confirmed = admin_client.post(reverse(IMPORT), {"token": token})
    assert confirmed.status_code == 302
    assert confirmed["Location"] == reverse("admin:strategy_node_changelist")
    assert [str(m) for m in get_messages(confirmed.wsgi_request)] == [
        "Imported: 2 new, 0 changed, 0 unchanged rows."
    ]
    assert Node.objects.count() == before + 2
    assert node("170201").parent == node("1702")

    # The token is used up: confirming twice does not import twice.
    again = admin_client.post(reverse(IMPORT), {"token": token}, follow=True)
    assert "expired" in again.content.decode()
    assert Node.objects.count() == before + 2


def test_admin_reports_tis620_file(admin_client):
    response = upload(admin_client, csv_bytes(GOOD, "cp874"))
    assert "read as TIS-620" in response.content.decode()
    assert response.context["report"].counts["new"] == 2


def test_admin_bad_file_names_line_and_column_and_offers_rejected_rows(admin_client):
    before = Node.objects.count()
    response = upload(admin_client, csv_bytes([SUB_PLAN, BAD_ROWS["unknown parent"][0], Y1]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Row 3, column <code>parent_code</code>" in html
    assert "9999" in html
    assert re.search(r"Errors: <strong>1</strong>", html)
    assert html.count('<tr class="row-new">') == 2 and html.count('<tr class="row-error">') == 1
    assert "Confirm import" not in html
    token = response.context["token"]
    link = reverse("admin:strategy_node_import_rejected", args=[token])
    assert link in html

    download = admin_client.get(link)
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = workbook_rows(b"".join(download.streaming_content))
    assert len(rows) == 2 and rows[1][2] == "170202" and rows[1][-1] == 3
    assert Node.objects.count() == before


def test_admin_speaks_thai_by_default(client, media):
    """Without a language choice the admin names the bad row and column in Thai."""
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = upload(client, csv_bytes([SUB_PLAN, BAD_ROWS["unknown parent"][0], Y1]))
    html = response.content.decode()
    assert "แถวที่ 3 คอลัมน์ <code>parent_code</code>" in html
    assert "ไม่พบรหัสระดับบน “9999”" in html
    assert "ยังไม่มีการบันทึกข้อมูลใด ๆ" in html
    whole = upload(client, b"%PDF-1.4\n", "nodes.pdf").content.decode()
    assert "ไฟล์นี้ไม่ใช่ตารางข้อมูล" in whole


def test_admin_whole_file_error_shows_on_the_form(admin_client):
    response = upload(admin_client, b"%PDF-1.4\n", "nodes.pdf")
    assert response.status_code == 200
    assert "This file is not a table" in response.content.decode()
    assert "report" not in response.context or not response.context["report"]


def test_admin_cannot_confirm_another_users_upload(admin_client):
    from django.test import Client

    token = upload(admin_client, csv_bytes(GOOD)).context["token"]
    other = Client()
    other.cookies["django_language"] = "en"
    other.force_login(UserFactory(is_staff=True, is_superuser=True))
    before = Node.objects.count()
    response = other.post(reverse(IMPORT), {"token": token}, follow=True)
    assert "expired" in response.content.decode()
    assert (
        other.get(reverse("admin:strategy_node_import_rejected", args=[token])).status_code == 404
    )
    assert Node.objects.count() == before


def test_admin_template_download(admin_client):
    response = admin_client.get(reverse("admin:strategy_node_import_template"))
    assert response.status_code == 200
    assert "strategy-import-template.xlsx" in response["Content-Disposition"]
    assert workbook_rows(response.content)[0] == list(COLUMNS)


def _strategy_staff(role: str):
    user = member(role, AgencyFactory(), is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="strategy"))
    return user


def test_staff_without_admin_role_gets_403(client, media):
    client.force_login(_strategy_staff(R.STAFF))
    assert client.get(reverse(IMPORT)).status_code == 403
    assert client.get(reverse("admin:strategy_node_import_template")).status_code == 403
    before = Node.objects.count()
    assert upload(client, csv_bytes(GOOD)).status_code == 403
    assert Node.objects.count() == before


def test_admin_membership_may_import(client, media):
    client.force_login(_strategy_staff(R.ADMIN))
    client.cookies["django_language"] = "en"
    assert client.get(reverse(IMPORT)).status_code == 200
    assert client.get(reverse("admin:strategy_node_import_template")).status_code == 200
    token = upload(client, csv_bytes(GOOD)).context["token"]
    assert client.post(reverse(IMPORT), {"token": token}).status_code == 302
    assert node("170201").parent == node("1702")


def _export_csv(client, file_format: str = "csv") -> bytes:
    data = {"resource": "0", "format": {"csv": "0", "xlsx": "1"}[file_format]}
    data.update({f"noderesource_{c}": "on" for c in COLUMNS})
    response = client.post(reverse("admin:strategy_node_export"), data)
    assert response.status_code == 200, response.content[:500]
    content_type = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats"}[file_format]
    assert response["Content-Type"].startswith(content_type)
    return response.content


def test_admin_export_reimports_unchanged(admin_client):
    run(csv_bytes(GOOD), commit=True)
    content = _export_csv(admin_client)
    parsed = read_table(content, "Node.csv")
    assert list(parsed.dataset.headers) == list(COLUMNS)
    report = import_dataset(parsed, commit=False)
    assert report.counts == {
        "new": 0,
        "changed": 0,
        "unchanged": Node.objects.count(),
        "error": 0,
    }


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_admin_export_writes_formula_like_titles_as_text(admin_client, file_format):
    evil = {**Y1, "title_th": '=HYPERLINK("http://evil.example")', "title_en": "@SUM(A1)"}
    assert run(csv_bytes([SUB_PLAN, evil]), commit=True).committed
    content = _export_csv(admin_client, file_format)
    if file_format == "csv":
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    else:
        cells = [c for row in load_workbook(io.BytesIO(content)).active.iter_rows() for c in row]
        assert all(c.data_type != "f" for c in cells)
        rows = workbook_rows(content)
    row = next(dict(zip(rows[0], r, strict=True)) for r in rows if r[2] == "170201")
    assert row["title_th"] == "'" + evil["title_th"] and row["title_en"] == "'@SUM(A1)"
    assert row["source"] == Y1["source"]  # other text as it is


def test_staff_without_admin_role_cannot_export(client):
    client.force_login(_strategy_staff(R.STAFF))
    data = {"resource": "0", "format": "0"}
    data.update({f"noderesource_{c}": "on" for c in COLUMNS})
    assert client.post(reverse("admin:strategy_node_export"), data).status_code == 403


# --- 10: shipped data ------------------------------------------------------------------------


def test_loading_the_shipped_data_again_changes_nothing():
    before = Node.objects.count()
    report = load_shipped()
    assert report.counts["new"] == 0
    assert report.counts["changed"] == 0
    assert report.counts["error"] == 0
    assert report.counts["unchanged"] == before
    assert Node.objects.count() == before
