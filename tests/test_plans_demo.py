"""The demo Level-3 plans: linked to shipped strategy rows, in several workflow states, each a
complete plan, and served by demo projects with some targets still unserved."""

import pytest

from demo.data import load_agencies, load_users
from demo.plans import PLANS, load_plans
from demo.projects import load_projects
from plans.models import Plan
from plans.selectors import coverage

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    load_agencies()
    load_users()
    load_projects()
    assert load_plans() == (len(PLANS), 0)
    return Plan.objects.filter(reference__startswith="DEMO-PLAN-")


def test_demo_plans_are_complete_linked_and_hold_projects(demo):
    from django.contrib.auth import get_user_model

    analyst = get_user_model().objects.get(username="analyst")
    assert {p.status for p in demo} >= {"draft", "submitted", "approved"}
    assert len({p.plan_type for p in demo}) >= 3
    for plan in demo.exclude(status="draft"):
        assert plan.submission_problems() == {}, plan.reference
        assert plan.primary_link is not None
    # The draft still misses its approval date, so its page shows what submission needs.
    assert set(demo.get(status="draft").submission_problems()) == {"approved_on"}
    approved = demo.get(reference="DEMO-PLAN-01")
    cov = coverage(analyst, approved)
    assert len(cov.rows) == 3 and cov.total > 0
    assert [t.order for t in cov.uncovered] == [3]
    assert load_plans() == (0, len(PLANS))  # idempotent
