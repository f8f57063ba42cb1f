"""The bulk import path (large files) against the per-row one: on the same file, both give the
same row report (status and messages per line), the same rejected-rows workbook and the same
stored hierarchy, and a file with one bad row writes nothing on either."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import translation

from strategy import importing
from strategy.importing import import_dataset, read_table, rejected_rows_workbook
from strategy.models import Node
from tests.test_strategy_import import (
    BAD_KIND_ROW,
    BAD_ROWS,
    FORMULA_ROW,
    GOOD,
    SUB_PLAN,
    Y1,
    csv_bytes,
    workbook_rows,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


class _Undo(Exception):
    pass


def _stored() -> set[tuple]:
    """Every node by its natural key, with its parent's and everything the import writes."""
    return set(
        Node.objects.values_list(
            "edition__code", "kind", "code", "parent__code", "parent__kind", "number",
            "title_th", "title_en", "full_title_th", "source", "search_text",
        )
    )  # fmt: skip


def _outcome(content: bytes, name: str, commit: bool, bulk: bool) -> dict:
    report = import_dataset(read_table(content, name), commit=commit, bulk=bulk)
    return {
        "rows": [(r.line, r.status, r.values, r.errors) for r in report.rows],
        "committed": report.committed,
        "rejected": workbook_rows(rejected_rows_workbook(report)),
        "stored": _stored(),
    }


def both_paths(content: bytes, name: str = "nodes.csv", *, commit: bool) -> dict:
    """Run the file through each path from the same database state; returns the outcome
    after checking that the two are the same."""
    outcomes = {}
    for bulk in (False, True):
        try:
            with transaction.atomic():
                outcomes[bulk] = _outcome(content, name, commit, bulk)
                raise _Undo  # the next path starts from the same rows
        except _Undo:
            pass
    assert outcomes[True]["rows"] == outcomes[False]["rows"]
    assert outcomes[True] == outcomes[False]
    return outcomes[True]


@pytest.mark.parametrize("commit", [False, True])
def test_new_rows_same_report_and_same_nodes(commit):
    before = _stored()
    outcome = both_paths(csv_bytes(GOOD), commit=commit)
    assert [r[1] for r in outcome["rows"]] == ["new", "new"]
    assert outcome["committed"] is commit
    assert (outcome["stored"] == before) is not commit


@pytest.mark.parametrize("case", BAD_ROWS)
@pytest.mark.parametrize("commit", [False, True])
def test_a_bad_row_same_messages_and_nothing_written(case, commit):
    bad = BAD_ROWS[case][0]
    before = _stored()
    outcome = both_paths(csv_bytes([SUB_PLAN, bad, Y1]), commit=commit)
    assert [r[0] for r in outcome["rows"] if r[1] == "error"] == [3]
    assert not outcome["committed"] and outcome["stored"] == before


def test_rejected_rows_workbook_is_the_same():
    outcome = both_paths(csv_bytes([SUB_PLAN, FORMULA_ROW, Y1, BAD_KIND_ROW]), commit=False)
    assert len(outcome["rejected"]) == 3  # the header and the two bad rows


def test_changed_unchanged_and_reparented_rows():
    import_dataset(read_table(csv_bytes(GOOD), "nodes.csv"), commit=True, bulk=False)
    shipped = Node.objects.get(edition__code="mp-2566", code="030401")
    edited = [
        SUB_PLAN,  # unchanged
        {**Y1, "title_th": "ผู้สูงอายุมีงานทำและมีรายได้เพียงพอ", "parent_code": "17"},
        {"edition": "mp-2566", "kind": "y1", "code": "030401", "parent_code": "0304",
         "title_th": shipped.title_th + " (ปรับปรุง)", "source": shipped.source},
        {"edition": "mp-2566", "kind": "y1", "code": "170209", "parent_code": "1702",
         "title_th": "เป้าหมายใหม่ใต้แผนย่อยเดิม"},
    ]  # fmt: skip
    for commit in (False, True):
        outcome = both_paths(csv_bytes(edited), commit=commit)
        assert [r[1] for r in outcome["rows"]] == ["unchanged", "changed", "changed", "new"]
    assert ("mp-2566", "y1", "170201", "17", "master_plan") in {s[:5] for s in outcome["stored"]}


def test_rows_without_a_code_are_matched_by_title():
    untitled = {"edition": "mp-2566", "kind": "y1", "code": "", "parent_code": "1702",
                "title_th": "เป้าหมายที่แหล่งข้อมูลไม่ระบุรหัส"}  # fmt: skip
    outcome = both_paths(csv_bytes([SUB_PLAN, untitled]), commit=True)
    assert [r[1] for r in outcome["rows"]] == ["new", "new"]
    import_dataset(read_table(csv_bytes([SUB_PLAN, untitled]), "n.csv"), commit=True, bulk=True)
    again = both_paths(csv_bytes([SUB_PLAN, untitled, {**untitled, "number": "3"}]), commit=True)
    assert [r[1] for r in again["rows"]] == ["unchanged", "unchanged", "error"]  # a duplicate


def test_children_of_a_rejected_row_are_rejected_alike():
    bad_parent = {**SUB_PLAN, "kind": "target"}
    outcome = both_paths(csv_bytes([bad_parent, Y1]), commit=True)
    errors = {r[0]: r[3] for r in outcome["rows"]}
    assert "kind" in errors[2] and "parent_code" in errors[3]


def _generated(count: int) -> list[dict]:
    """A master-plan-shaped edition's rows (the benchmark's generator) in the import format."""
    from bench.strategy_import import HEADERS, rows

    return [dict(zip(HEADERS, map(str, r), strict=True)) for r in rows(count)]


@pytest.fixture
def bench_edition():
    from strategy.models import Edition

    return Edition.objects.create(code="bench-mp", family=Edition.Family.MASTER_PLAN,
                                  title_th="ฉบับทดสอบ")  # fmt: skip


def test_a_large_xlsx_file_takes_the_bulk_path_and_matches(bench_edition, settings, monkeypatch):
    rows = _generated(1_200)
    content = xlsx_bytes(rows, columns=list(rows[0]))
    outcome = both_paths(content, "big.xlsx", commit=True)
    assert {r[1] for r in outcome["rows"]} == {"new"}
    # By default a file this size takes the bulk path (the per-row one is not called).
    monkeypatch.setattr(importing.NodeResource, "import_data", None)
    assert len(rows) >= importing.BULK_FROM_ROWS
    report = import_dataset(read_table(content, "big.xlsx"), commit=True)
    assert report.committed and report.counts["new"] == 1_200
    assert Node.objects.filter(edition=bench_edition).count() == 1_200
    assert Node.objects.get(edition=bench_edition, code="0101").parent.code == "01"
    again = import_dataset(read_table(content, "big.xlsx"), commit=False)
    assert again.counts["unchanged"] == 1_200


def test_a_large_file_with_a_few_bad_rows(bench_edition):
    rows = _generated(1_200)
    rows[7]["parent_code"] = "9999"  # unknown parent
    rows[300]["kind"] = "target"  # unknown kind: its children lose their parent too
    rows[500] = {**rows[499]}  # a duplicate code
    rows[900]["number"] = "สาม"  # not a number
    outcome = both_paths(csv_bytes(rows, columns=list(rows[0])), commit=True)
    bad = [r[0] for r in outcome["rows"] if r[1] == "error"]
    assert {9, 302, 502, 902} <= set(bad)
    assert not outcome["committed"]
    assert not Node.objects.filter(edition=bench_edition).exists()
