"""The linkage scorer: scores follow the text, the chain check, suggestions, idempotence."""

from __future__ import annotations

from unittest import mock

import pytest

from linkage import scoring, services
from linkage.models import LinkScore, ProjectAnalysis
from projects.models import KPI, StrategyLink
from strategy.models import Edition, Node
from tests.factories import AgencyFactory, ProjectFactory, complete_project

pytestmark = pytest.mark.django_db


def _retext(project, title, objectives, kpi):
    project.title, project.objectives = title, objectives
    project.rationale = project.expected_outcomes = ""
    project.save()
    project.kpis.all().delete()
    project.activities.all().delete()
    KPI.objects.create(project=project, name=kpi, unit="ราย", target_value="10")
    return project


def _primary_score(project) -> LinkScore:
    services.rescore_projects([project.pk])
    return LinkScore.objects.get(project=project, is_primary=True)


def test_score_rises_when_the_text_is_about_the_declared_target():
    on_topic = complete_project()  # Y1 030401 สินค้าเกษตรแปรรูป, a text about processing
    off_topic = _retext(
        complete_project(), "โครงการพัฒนานักกีฬาฟุตบอลทีมชาติ",
        "เพื่อเตรียมนักกีฬาเข้าแข่งขันซีเกมส์", "เหรียญรางวัลการแข่งขันกีฬา",
    )  # fmt: skip
    good, bad = _primary_score(on_topic), _primary_score(off_topic)
    assert good.score > bad.score + 30
    assert good.rank < bad.rank
    assert good.score >= LinkScore.WEAK_BELOW and bad.is_weak
    # the words that carry the match, on both sides
    assert "แปรรูป" in good.project_terms and "แปรรูป" in good.target_terms
    # the poorly fitting link gets better targets, all in the sports master plan first
    assert bad.better and bad.better[0]["master_plan_code"] == "14"
    assert len(bad.better) <= 5


def test_rank_is_among_targets_of_the_same_kind():
    link = _primary_score(complete_project())
    y1_count = Node.objects.filter(edition__code="mp-2566", kind="y1").count()
    assert link.rank_of == y1_count and 1 <= link.rank <= 3


def test_the_chain_check_catches_a_factor_of_another_y1():
    project = complete_project()
    factor = Node.objects.get(edition__code="mp-2566", code="F0101")  # not under Y1 030401
    StrategyLink.objects.filter(project=project, is_primary=True).update(factor=factor)
    link = _primary_score(project)
    assert not link.chain_ok and "factor_other_target" in link.chain_problems
    assert link.signals["chain"] == scoring.CHAIN_BROKEN_FACTOR
    clean = _primary_score(complete_project())
    assert clean.chain_ok and clean.score > link.score


def test_the_chain_check_catches_a_target_of_another_edition():
    project = complete_project()
    old = Node.objects.get(edition__code="mp-2561", code="050101")
    StrategyLink.objects.create(project=project, node=old)
    services.rescore_projects([project.pk])
    secondary = LinkScore.objects.get(project=project, node=old)
    assert not secondary.chain_ok and "edition" in secondary.chain_problems


@pytest.mark.parametrize(
    ("title", "objective", "sub_plan"),
    [
        ("โครงการส่งเสริมการผลิตพืชผักปลอดภัยตามมาตรฐาน GAP", "ลดการใช้สารเคมี", "0302"),
        ("โครงการติดตั้งโซลาร์เซลล์ผลิตไฟฟ้าพลังงานแสงอาทิตย์", "เพิ่มพลังงานทดแทน", "0702"),
        ("โครงการยกระดับคะแนน ITA ความโปร่งใสของหน่วยงาน", "ปลูกจิตสำนึกต้านทุจริต", "2101"),
        ("โครงการฝึกอบรมพัฒนาฝีมือแรงงานให้ตรงความต้องการสถานประกอบการ", "", "1104"),
    ],
)
def test_suggestions_contain_the_right_sub_plan_for_clear_cases(title, objective, sub_plan):
    edition = Edition.objects.get(code="mp-2566")
    suggestions = services.suggest(title, objective, edition=edition, top=3)
    assert sub_plan in [s["sub_plan_code"] for s in suggestions]
    assert set(suggestions[0]) == {"code", "kind", "title", "master_plan_code",
                                   "sub_plan_code", "sub_plan_title", "score"}  # fmt: skip


def test_every_master_plan_can_be_suggested_even_without_lower_levels():
    index = scoring.get_index(Edition.objects.get(code="mp-2566"))
    plans = {index.targets[r].master_plan_code for r in index.candidates}
    assert plans == {f"{n:02d}" for n in range(1, 24)}
    top = services.suggest("โครงการพัฒนาแหล่งท่องเที่ยวชุมชน", top=1,
                           edition=Edition.objects.get(code="mp-2566"))  # fmt: skip
    assert top[0]["kind"] == "master_plan" and top[0]["code"] == "05"
    assert top[0]["sub_plan_code"] == "" and top[0]["sub_plan_title"] == ""


def test_a_rerun_with_the_same_version_writes_nothing_new():
    project = complete_project()
    first = services.rescore_projects([project.pk])
    assert first.scored == 1
    before = list(LinkScore.objects.values_list("id", "score"))
    stamp = ProjectAnalysis.objects.get(project=project).scored_at
    with mock.patch.object(LinkScore.objects, "bulk_create") as written:
        again = services.rescore_projects([project.pk])
    assert again.unchanged == 1 and again.scored == 0 and not written.called
    assert list(LinkScore.objects.values_list("id", "score")) == before
    assert ProjectAnalysis.objects.get(project=project).scored_at == stamp
    # a changed text is rescored
    project.title = "โครงการพัฒนานักกีฬาฟุตบอลทีมชาติ"
    project.save()
    assert services.rescore_projects([project.pk]).scored == 1


def test_the_agency_prior_comes_from_its_other_projects():
    agency = AgencyFactory()
    for _ in range(3):
        complete_project(agency=agency)  # all in master plan 03
    newcomer = ProjectFactory(agency=agency, title="โครงการประชุมเชิงปฏิบัติการ")
    prior = services.Priors().for_project(newcomer)
    assert prior == {"03": 1.0}
    # the project's own link is not its own evidence
    own = complete_project(agency=AgencyFactory())
    assert services.Priors().for_project(own) == {}


def test_weights_are_documented_and_sum_to_one():
    assert sum(scoring.WEIGHTS.values()) == pytest.approx(1.0)
    for name in ("text", "kpi", "prior"):
        assert f"``{name}``" in scoring.__doc__
    edition = Edition.objects.get(code="mp-2566")
    index = scoring.get_index(edition)
    text_only = scoring.ProjectInput.from_texts(title="โครงการส่งเสริมเกษตรแปรรูป")
    with_prior = scoring.ProjectInput(text_only.fields, prior={"14": 1.0})
    rel = scoring.relevance(index, [text_only, with_prior])
    sport = next(t.row for t in index.targets if t.code == "14")
    assert rel["combined"][1, sport] == pytest.approx(scoring.WEIGHTS["prior"] / (
        scoring.WEIGHTS["text"] + scoring.WEIGHTS["prior"]) + rel["combined"][0, sport]
        * scoring.WEIGHTS["text"] / (scoring.WEIGHTS["text"] + scoring.WEIGHTS["prior"]),
        abs=1e-4)  # fmt: skip


def test_thai_digits_zero_width_and_spelling_variants_do_not_change_the_words():
    from linkage.text import words

    assert words("เเปรรูป\u200bผลผลิต ๒๕๖๘") == words("แปรรูปผลผลิต 2568")


def test_saving_a_project_queues_its_rescore_after_commit(django_capture_on_commit_callbacks):
    from projects.services import on_transition

    project = complete_project()
    with mock.patch("celery.current_app.send_task") as send, \
            django_capture_on_commit_callbacks(execute=True):  # fmt: skip
        on_transition(project, "submit", "draft", project.created_by)
    send.assert_called_once()
    assert send.call_args.args == ("linkage.tasks.rescore_project",)
    assert send.call_args.kwargs["args"] == (project.pk,)


def test_a_rescore_that_moves_nothing_rewrites_no_score_row():
    """A changed target list (or agency prior) changes every fingerprint but few scores:
    the unchanged rows are left as they are, the analysis records the new fingerprint."""
    project = complete_project()
    services.rescore_projects([project.pk])
    before = list(LinkScore.objects.filter(project=project).values())
    analysis = ProjectAnalysis.objects.get(project=project)
    ProjectAnalysis.objects.filter(project=project).update(fingerprint="")
    assert services.rescore_projects([project.pk]).scored == 1
    assert list(LinkScore.objects.filter(project=project).values()) == before  # same ids too
    again = ProjectAnalysis.objects.get(project=project)
    assert again.fingerprint == analysis.fingerprint and again.suggestions == analysis.suggestions
    assert again.scored_at > analysis.scored_at


def test_changed_scores_are_written_and_dropped_links_lose_theirs():
    project = complete_project()
    old = Node.objects.get(edition__code="mp-2561", code="050101")
    StrategyLink.objects.create(project=project, node=old)
    services.rescore_projects([project.pk])
    assert LinkScore.objects.filter(project=project).count() == 2
    good = LinkScore.objects.get(project=project, is_primary=True)
    StrategyLink.objects.filter(project=project, node=old).delete()
    _retext(project, "โครงการพัฒนานักกีฬาฟุตบอลทีมชาติ", "เพื่อเตรียมนักกีฬาเข้าแข่งขันซีเกมส์",
            "เหรียญรางวัลการแข่งขันกีฬา")  # fmt: skip
    assert services.rescore_projects([project.pk]).scored == 1
    (bad,) = LinkScore.objects.filter(project=project)
    assert bad.node_id == good.node_id and bad.score < good.score and bad.better
    # a new scorer version rewrites every row, even with the same results
    LinkScore.objects.filter(project=project).update(version="0")
    ProjectAnalysis.objects.filter(project=project).update(version="0", fingerprint="")
    services.rescore_projects([project.pk])
    assert set(LinkScore.objects.values_list("version", flat=True)) == {scoring.SCORER_VERSION}
    assert ProjectAnalysis.objects.get(project=project).version == scoring.SCORER_VERSION


def test_the_edition_index_is_kept_until_a_target_changes():
    edition = Edition.objects.get(code="mp-2566")
    first = scoring.get_index(edition)
    assert scoring.get_index(edition) is first
    node = Node.objects.get(edition=edition, code="030401")
    node.title_th += " และอาหารแปรรูป"
    node.save()
    rebuilt = scoring.get_index(edition)
    assert rebuilt is not first and rebuilt.signature != first.signature
    assert scoring.get_index(edition) is rebuilt


def test_the_prior_read_for_one_agency_equals_the_batch_prior():
    parent = AgencyFactory()
    sibling, newcomer = AgencyFactory(parent=parent), AgencyFactory(parent=parent)
    for _ in range(3):
        complete_project(agency=sibling)
    complete_project(agency=newcomer)  # too little history: its sibling units count too
    for agency in (sibling, newcomer, parent):
        one = services.Priors([agency.pk]).for_agency(agency.pk, "03")
        assert one == services.Priors().for_agency(agency.pk, "03")
    assert services.Priors([newcomer.pk]).for_agency(newcomer.pk) == {"03": 1.0}
