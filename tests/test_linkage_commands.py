"""The stable command-line interfaces other tools call: linkage_suggest and linkage_eval."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db
LABELLED = Path(__file__).parent / "data" / "linkage_labelled.jsonl"
FIELDS = {"code", "kind", "title", "master_plan_code", "sub_plan_code", "sub_plan_title", "score"}


def _suggest(tmp_path, lines, *args) -> list[dict]:
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), "utf-8")
    out = io.StringIO()
    call_command("linkage_suggest", "--input", str(path), *args, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_suggest_writes_one_json_line_per_input_best_first(tmp_path):
    rows = _suggest(tmp_path, [
        {"id": "a", "title": "โครงการส่งเสริมการผลิตผักปลอดภัยตามมาตรฐาน GAP",
         "objective": "", "kpi": ""},
        {"id": 7, "title": "โครงการพัฒนาแหล่งท่องเที่ยวชุมชน", "objective": "เพิ่มรายได้",
         "kpi": "รายได้จากการท่องเที่ยวเพิ่มขึ้นร้อยละ 10"},
    ], "--edition", "mp-2566", "--top", "3")  # fmt: skip
    assert [r["id"] for r in rows] == ["a", 7]
    for row in rows:
        assert 1 <= len(row["suggestions"]) <= 3
        assert all(set(s) == FIELDS for s in row["suggestions"])
        scores = [s["score"] for s in row["suggestions"]]
        assert scores == sorted(scores, reverse=True)
    first = rows[0]["suggestions"][0]
    assert first["master_plan_code"] == "03" and first["sub_plan_code"] == "0302"
    tourism = rows[1]["suggestions"][0]
    assert tourism["master_plan_code"] == "05" and tourism["sub_plan_code"] == ""


def test_master_plan_codes_are_the_official_two_digit_numbers(tmp_path):
    rows = _suggest(tmp_path, [{"id": 1, "title": "โครงการพัฒนาศักยภาพบุคลากร"}], "--top", "23")
    codes = {s["master_plan_code"] for s in rows[0]["suggestions"]}
    assert codes and all(len(c) == 2 and 1 <= int(c) <= 23 for c in codes)


def test_suggest_refuses_an_unknown_edition_and_bad_lines(tmp_path):
    with pytest.raises(CommandError, match="Unknown edition"):
        _suggest(tmp_path, [{"id": 1, "title": "x"}], "--edition", "nope")
    path = tmp_path / "bad.jsonl"
    path.write_text("{not json}\n", "utf-8")
    with pytest.raises(CommandError, match="line 1"):
        call_command("linkage_suggest", "--input", str(path), stdout=io.StringIO())


def test_eval_prints_accuracy_next_to_the_baseline():
    out = io.StringIO()
    call_command("linkage_eval", "--input", str(LABELLED), stdout=out)
    text = out.getvalue()
    assert "MP top-1" in text and "SP top-3" in text and "baseline" in text
    lines = [line for line in text.splitlines() if line.startswith(("scorer", "baseline"))]
    scorer, baseline = ([float(v.rstrip("%")) for v in line.split()[-4:]] for line in lines)
    assert scorer[0] > baseline[0]  # the scorer beats plain TF-IDF over titles


def test_the_labelled_set_covers_every_master_plan():
    items = [json.loads(line) for line in LABELLED.read_text("utf-8").splitlines()]
    assert len(items) >= 200
    assert {i["master_plan"] for i in items} == {f"{n:02d}" for n in range(1, 24)}
