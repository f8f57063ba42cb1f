"""Faults of the real services: the product keeps answering and loses nothing."""

from __future__ import annotations

import contextlib
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


# --- PostgreSQL goes away and comes back --------------------------------------------------------


class TcpProxy:
    """A TCP relay to the real PostgreSQL. ``down()`` is what the application sees of a server
    restart: open connections are cut and new ones refused, until ``up()``."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = _closed_port()
        self.listener: socket.socket | None = None
        self.pairs: list[socket.socket] = []
        self.up()

    def up(self) -> None:
        import threading

        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.listener.listen(16)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def down(self) -> None:
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
        self.listener.close()
        for s in self.pairs:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()
        self.pairs.clear()

    def _accept(self, listener: socket.socket) -> None:
        import threading

        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # closed by down()
            server = socket.create_connection(self.target)
            self.pairs += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.close()


@pytest.fixture
def db_through_proxy(settings):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the outage is one of the PostgreSQL server")
    saved = {k: connection.settings_dict[k] for k in ("HOST", "PORT", "CONN_MAX_AGE")}
    proxy = TcpProxy(saved["HOST"] or "127.0.0.1", int(saved["PORT"] or 5432))
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(proxy.port))
    yield proxy
    connection.close()
    connection.settings_dict.update(saved)
    proxy.down()


def test_pages_fail_cleanly_while_postgresql_is_down_and_recover_by_themselves(
    shipped_strategy, agencies, db_through_proxy, live_server
):
    """Real HTTP requests to the live server, whose threads connect through the proxy."""
    import urllib.error
    import urllib.request

    from django.test import Client

    staff = member(Membership.Role.STAFF, agencies["doae"])
    project = complete_project(agency=agencies["doae"], created_by=staff)
    signed_in = Client()
    signed_in.force_login(staff)
    cookie = f"sessionid={signed_in.cookies['sessionid'].value}"

    def get(path: str) -> tuple[int, str, dict]:
        request = urllib.request.Request(live_server.url + path, headers={"Cookie": cookie})  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return response.status, response.read().decode(), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(), dict(error.headers)

    assert get(project.get_absolute_url())[0] == 200

    db_through_proxy.down()
    status, body, headers = get(project.get_absolute_url())
    assert status == 503
    assert "ฐานข้อมูลไม่พร้อมใช้งานชั่วคราว" in body
    assert headers["Retry-After"] == "30"
    assert get("/healthz/")[0] == 503  # the load balancer sees it too

    db_through_proxy.up()
    status, body, _ = get(project.get_absolute_url())
    assert status == 200
    assert project.title in body
