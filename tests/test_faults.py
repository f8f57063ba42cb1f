"""Faults of the real services: the product keeps answering and loses nothing."""

from __future__ import annotations

import socket
import time

import pytest

from agencies.access import Action
from agencies.models import Membership
from core.states import Status
from tests.factories import complete_project, member
from workflow.models import Notification

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _use_broker(url: str) -> None:
    from emenscr.celery import app

    app._pool = None
    app.amqp._producer_pool = None
    app.conf.broker_url = url


@pytest.fixture
def broker_down():
    """Point the Celery app at a port where nothing listens (the Redis of the other tests keeps
    running); calling the fixture's value brings the broker back."""
    from django.conf import settings

    _use_broker(f"redis://127.0.0.1:{_closed_port()}/0")
    yield lambda: _use_broker(settings.CELERY_BROKER_URL)
    _use_broker(settings.CELERY_BROKER_URL)


def test_submitting_while_redis_is_down_works_and_the_email_follows_later(
    shipped_strategy, celery_worker, agencies, client, broker_down
):
    from workflow.tasks import email_pending_notifications

    staff = member(Membership.Role.STAFF, agencies["doae"])
    approver = member(Membership.Role.AGENCY_APPROVER, agencies["doae"], email="boss@doae.go.th")
    project = complete_project(agency=agencies["doae"], created_by=staff)
    client.force_login(staff)

    response = client.post(f"/projects/{project.pk}/{Action.SUBMIT.value}/", follow=True)

    assert response.status_code == 200
    project.refresh_from_db()
    assert project.status == Status.SUBMITTED
    note = Notification.objects.get(recipient=approver)  # the inbox has it at once
    assert note.emailed_at is None

    # Redis is back: the periodic sweep e-mails what could not be queued, exactly once.
    broker_down()
    assert email_pending_notifications.delay(0).get(timeout=60) == 1
    assert email_pending_notifications.delay(0).get(timeout=60) == 0
    deadline = time.monotonic() + 10
    while not list(celery_worker.mail_dir.iterdir()):
        assert time.monotonic() < deadline
        time.sleep(0.2)
    sent = "".join(p.read_text() for p in celery_worker.mail_dir.iterdir())
    assert "boss@doae.go.th" in sent and f"/projects/{project.pk}/" in sent
