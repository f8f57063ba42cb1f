"""Jobs run in a real Celery worker process, off the request, against the test database."""

import pytest

from strategy.models import Node
from strategy.tasks import rebuild_search_index

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def test_worker_rebuilds_the_search_index_so_search_finds_thai_words(
    shipped_strategy, celery_worker
):
    # A bulk load that bypassed Node.save() leaves the search text empty: nothing is found.
    Node.objects.filter(edition__code="mp-2566").update(search_text="")
    assert not Node.objects.search("เกษตรแปรรูป").filter(edition__code="mp-2566").exists()

    changed = rebuild_search_index.delay("mp-2566").get(timeout=60)

    assert changed == Node.objects.filter(edition__code="mp-2566").count()
    found = Node.objects.search("เกษตรแปรรูป").filter(edition__code="mp-2566")
    assert set(found.values_list("code", flat=True)) >= {"0304", "030401"}
    # Idempotent: a second run has nothing left to change.
    assert rebuild_search_index.delay("mp-2566").get(timeout=60) == 0


def test_admin_action_queues_the_rebuild_without_running_it_in_the_request(
    shipped_strategy, celery_worker, client
):
    from django.contrib.auth import get_user_model

    from strategy.models import Edition

    admin = get_user_model().objects.create_superuser("root", "root@example.go.th", "x")
    client.force_login(admin)
    Node.objects.filter(edition__code="nesdp-13").update(search_text="")
    edition = Edition.objects.get(code="nesdp-13")
    response = client.post(
        "/admin/strategy/edition/",
        {"action": "rebuild_search_index", "_selected_action": [edition.pk]},
        follow=True,
    )
    assert response.status_code == 200
    # The worker, not the request, does the work: poll until it has.
    import time

    deadline = time.monotonic() + 30
    while Node.objects.filter(edition=edition, search_text="").exists():
        assert time.monotonic() < deadline, "the worker did not rebuild the index"
        time.sleep(0.2)
    assert Node.objects.search("ท่องเที่ยว").filter(edition=edition).exists()


def test_the_worker_emails_the_next_approver_once(shipped_strategy, celery_worker, agencies):
    """A submission tells the agency approver by e-mail, sent by the worker after commit;
    re-running the task sends nothing twice."""
    import time

    from agencies.access import Action
    from agencies.models import Membership
    from tests.factories import complete_project, member
    from workflow import engine
    from workflow.models import Notification
    from workflow.tasks import email_notifications

    staff = member(Membership.Role.STAFF, agencies["doae"])
    approver = member(Membership.Role.AGENCY_APPROVER, agencies["doae"], email="boss@doae.go.th")
    project = complete_project(agency=agencies["doae"], created_by=staff)
    engine.perform(project, Action.SUBMIT, staff)

    note = Notification.objects.get(recipient=approver)
    deadline = time.monotonic() + 30
    while Notification.objects.filter(pk=note.pk, emailed_at__isnull=True).exists():
        assert time.monotonic() < deadline, "the worker did not send the e-mail"
        time.sleep(0.2)
    sent = "".join(p.read_text() for p in celery_worker.mail_dir.iterdir())
    assert "boss@doae.go.th" in sent
    assert f"/projects/{project.pk}/" in sent
    assert email_notifications.delay([note.pk]).get(timeout=30) == 0  # already sent
