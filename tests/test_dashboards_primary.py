"""The primary link's node and score the database keeps per project for the national
dashboard's one scan (``dashboards.models.PrimaryLink``, dashboards/migrations/0002): whatever
writes the links and the scores (the project services, a new revision, the linkage batch's
COPY, a deletion), the kept rows are what the link and score tables hold, so the dashboard
counts what the lists behind it count."""

from __future__ import annotations

import importlib

import pytest
from django.db import connection

from dashboards.models import PrimaryLink
from dashboards.selectors import with_primary
from linkage import services as linkage
from linkage.models import LinkScore
from projects import services
from projects.models import Project
from tests.factories import complete_project, y1_node
from tests.progress_fixtures import approved_project, people

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("the kept rows and their triggers are PostgreSQL's")


def _kept(project) -> tuple:
    qs = with_primary(Project.objects.filter(pk=project.pk), kept=True)
    return qs.values_list("node", "score").get()


def _joined(project) -> tuple:
    qs = with_primary(Project.objects.filter(pk=project.pk), kept=False)
    return qs.values_list("node", "score").get()


def _score(project) -> int | None:
    found = LinkScore.objects.filter(project=project, is_primary=True).first()
    return found.score if found else None


def test_kept_values_follow_the_links_the_services_save_and_the_scores_the_batch_copies():
    project = complete_project()
    first = y1_node("030401")
    assert _kept(project) == (first.pk, None) == _joined(project)  # linked, not scored yet

    linkage.rescore_projects([project.pk])  # COPY on PostgreSQL
    scored = _score(project)
    assert scored is not None
    assert _kept(project) == (first.pk, scored) == _joined(project)

    other = y1_node("120101")
    services.set_links(project, services.LinkChoice(primary=other))
    # The link moved; the old link's score stays the primary score until the next rescore.
    assert _kept(project) == (other.pk, scored) == _joined(project)
    linkage.rescore_projects([project.pk])
    assert LinkScore.objects.get(project=project, is_primary=True).node_id == other.pk
    assert _kept(project) == (other.pk, _score(project)) == _joined(project)

    LinkScore.objects.filter(project=project).update(score=7)  # any other write, too
    assert _kept(project) == (other.pk, 7) == _joined(project)

    services.set_links(project, services.LinkChoice())  # no primary link any more
    linkage.rescore_projects([project.pk])
    assert _kept(project) == (None, None) == _joined(project)


def test_a_new_revision_carries_its_own_copied_link(agencies):
    who = people(agencies)
    approved = approved_project(agencies["doae"], who)
    linkage.rescore_projects([approved.pk])
    revision = services.start_revision(approved, who.staff, "งบประมาณ")
    assert revision.pk != approved.pk
    assert _kept(revision) == (y1_node("030401").pk, None) == _joined(revision)
    assert _kept(approved) == (y1_node("030401").pk, _score(approved)) == _joined(approved)


def test_the_migration_back_fills_every_project():
    projects = [complete_project() for _ in range(3)]
    linkage.rescore_projects([projects[0].pk])
    services.set_links(projects[2], services.LinkChoice())
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM dashboards_primarylink")
        migration = importlib.import_module("dashboards.migrations.0002_primarylink")
        (back_fill,) = [s for s in migration.CREATE if s.startswith("SELECT dash_primary_refresh")]
        cursor.execute(back_fill)
    rows = ("pk", "node", "score")
    kept = list(with_primary(Project.objects.order_by("pk"), kept=True).values_list(*rows))
    joined = with_primary(Project.objects.order_by("pk"), kept=False).values_list(*rows)
    assert kept == list(joined)
    assert [(node is None, score is None) for _pk, node, score in kept] == [
        (False, False),
        (False, True),
        (True, True),
    ]


def test_a_deleted_project_leaves_no_row():
    project = complete_project()
    linkage.rescore_projects([project.pk])
    assert PrimaryLink.objects.filter(project_id=project.pk).exists()
    pk = project.pk
    project.delete()
    assert not PrimaryLink.objects.filter(project_id=pk).exists()


def test_a_project_moved_to_another_fiscal_year_takes_its_row_along():
    project = complete_project()
    linkage.rescore_projects([project.pk])
    Project.objects.filter(pk=project.pk).update(fiscal_year=2569)
    assert PrimaryLink.objects.get(project_id=project.pk).fiscal_year == 2569
    assert _kept(project) == _joined(project) == (y1_node("030401").pk, _score(project))
