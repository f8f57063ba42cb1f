"""Faults of the real services: the product keeps answering and loses nothing."""

from __future__ import annotations

import contextlib
import io
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


# --- the Celery worker killed in the middle of a batch -----------------------------------------


class Worker:
    """A `celery worker` process of its own (its own session, so SIGKILL takes the whole
    process group), consuming only ``queue``; ``log`` is what it printed."""

    def __init__(self, queue: str, log, visibility_timeout: int = 3600) -> None:
        import os
        import subprocess
        import sys

        from tests.conftest import ROOT, _database_url

        self.log = log
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "DJANGO_SETTINGS_MODULE": "emenscr.settings",
            "CELERY_VISIBILITY_TIMEOUT": str(visibility_timeout),
        }
        start = len(log.read_bytes()) if log.exists() else 0
        with open(log, "ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "emenscr", "worker", "--pool=solo",
                 "--loglevel=info", "--without-gossip", "--without-mingle", "--without-heartbeat",
                 "-Q", queue, "-n", f"{queue}-{time.monotonic_ns()}@%h"],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + 60
        while b"ready." not in log.read_bytes()[start:]:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.kill()
                pytest.fail("Celery worker did not start:\n" + log.read_text(errors="replace"))
            time.sleep(0.2)

    def ids(self, word: str, task: str = "linkage.tasks.rescore_chunk") -> list[str]:
        """The ids of the ``task`` messages the log says were ``received`` / ``succeeded``."""
        marker = f"{task}["
        return [
            line.split(marker, 1)[1].split("]", 1)[0]
            for line in self.log.read_text(errors="replace").splitlines()
            if marker in line and f"] {word}" in line
        ]

    def count(self, word: str) -> int:
        return len(self.ids(word))

    def kill(self) -> None:
        import os
        import signal

        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=15)


def _many_projects(count: int, agency=None) -> int:
    """``count`` current FY 2568 projects, with their own references (R00000, R00001, ...),
    realistic Thai texts (bench's generator), KPIs, activities and a primary link to a target
    under their master plan; returns how many master-plan links the batch must score."""
    from bench.project_generator import generate
    from projects.models import KPI, Activity, Project, StrategyLink
    from strategy.models import Kind, Node
    from tests.factories import AgencyFactory, UserFactory

    agency, user = agency or AgencyFactory(code="F001"), UserFactory()
    targets: dict[str, list] = {}
    for node in Node.objects.filter(edition__code="mp-2566", kind=Kind.SUB_PLAN_TARGET):
        targets.setdefault(node.code[:2], []).append(node)
    texts = list(generate(count, seed=9))
    projects = Project.objects.bulk_create(
        Project(agency=agency, fiscal_year=2568, title=t["title"][:500], created_by=user,
                reference=f"R{i:05d}",
                rationale=t["rationale"], objectives=t["objectives"],
                target_group=t["target_group"], expected_outcomes=t["expected_outcomes"])
        for i, t in enumerate(texts)
    )  # fmt: skip
    KPI.objects.bulk_create(
        KPI(project=p, name=name[:500], unit=unit, target_value=value)
        for p, t in zip(projects, texts, strict=True)
        for name, unit, value in t["kpis"]
    )
    Activity.objects.bulk_create(
        Activity(project=p, order=i, name=name)
        for p, t in zip(projects, texts, strict=True)
        for i, name in enumerate(t["activities"], start=1)
    )
    everywhere = [n for nodes in targets.values() for n in nodes]
    StrategyLink.objects.bulk_create(
        StrategyLink(project=p, node=(targets.get(t["master_plan"]) or everywhere)[0],
                     is_primary=True)
        for p, t in zip(projects, texts, strict=True)
    )  # fmt: skip
    return count


def test_a_batch_rescore_survives_its_worker_killed_mid_chunk(shipped_strategy, tmp_path):
    """SIGKILL the worker while it scores a chunk: nothing of that chunk is acknowledged, so a
    new worker gets the message again (late acknowledgement, visibility timeout) and the batch
    ends at 100 % with every project scored exactly once."""
    from linkage import tasks
    from linkage.models import LinkScore, ProjectAnalysis
    from projects.models import Project

    links = _many_projects(1_200)
    queue, log = f"faults-{time.monotonic_ns()}", tmp_path / "worker.log"
    first = Worker(queue, log)
    try:
        result, count = tasks.queue_selection(fiscal_year=2568, chunk_size=150, queue=queue)
        total = len(result.results)
        assert (count, total) == (1_200, 8)
        # Kill once a chunk is done and the next one is in the worker's hands.
        deadline = time.monotonic() + 300
        while not (first.count("succeeded") >= 2 and first.count("received") > first.count(
                "succeeded")):  # fmt: skip
            assert time.monotonic() < deadline, log.read_text(errors="replace")
            time.sleep(0.05)
        time.sleep(0.2)  # well inside the chunk (a chunk takes about a second)
    finally:
        first.kill()
    killed = set(first.ids("received")) - set(first.ids("succeeded"))
    assert len(killed) == 1
    done_before = result.completed_count()
    scored_before = ProjectAnalysis.objects.count()
    assert 0 < done_before < total
    assert 0 < scored_before < count  # the batch really was cut in the middle
    assert not result.ready()

    # A new worker (as after a restart) takes the unacknowledged chunk back once the
    # visibility timeout has passed, and the rest of the queue.
    second = Worker(queue, log, visibility_timeout=2)
    try:
        deadline = time.monotonic() + 300
        while not result.ready():
            assert time.monotonic() < deadline, log.read_text(errors="replace")
            time.sleep(0.2)
    finally:
        second.kill()

    assert first.ids("received").count(killed.pop()) == 2  # the killed chunk came back
    assert result.successful()
    assert result.completed_count() == total  # the progress ends at 100 %
    parts = result.get(timeout=10)
    assert sum(p["scored"] + p["unchanged"] for p in parts) == count
    # No project missing, none scored twice.
    ids = set(
        Project.objects.filter(is_current=True, fiscal_year=2568).values_list("pk", flat=True)
    )
    assert ProjectAnalysis.objects.count() == count
    assert set(ProjectAnalysis.objects.values_list("project_id", flat=True)) == ids
    assert LinkScore.objects.count() == links
    assert LinkScore.objects.values("project_id", "node_id").distinct().count() == links


def test_a_report_job_survives_its_worker_killed_mid_build(shipped_strategy, tmp_path):
    """The same for a report: the job killed half-way is built again by the next worker and
    ends done at 100 %, its file holding each project exactly once."""
    import csv

    from reports.models import Format, Report, ReportJob
    from reports.tasks import build_report
    from tests.factories import AgencyFactory

    agency = AgencyFactory(code="F002")
    count = _many_projects(5_000, agency)
    owner = member(Membership.Role.STAFF, agency)
    job = ReportJob.objects.create(owner=owner, report=Report.PORTFOLIO, format=Format.CSV,
                                   title="portfolio")  # fmt: skip
    queue, log = f"faults-{time.monotonic_ns()}", tmp_path / "worker.log"
    first = Worker(queue, log)
    try:
        build_report.apply_async(args=[job.pk], queue=queue)
        deadline = time.monotonic() + 300
        while True:  # kill once the first chunks are written, before the file is stored
            job.refresh_from_db()
            if job.state == ReportJob.State.RUNNING and 25 <= job.progress < 95:
                break
            assert job.state != ReportJob.State.DONE, "the job finished before the kill"
            assert time.monotonic() < deadline, log.read_text(errors="replace")
            time.sleep(0.02)
    finally:
        first.kill()
    job.refresh_from_db()
    assert (job.state, job.attempts, job.file.name) == (ReportJob.State.RUNNING, 1, "")

    second = Worker(queue, log, visibility_timeout=2)
    try:
        deadline = time.monotonic() + 300
        while job.state != ReportJob.State.DONE:
            assert job.state != ReportJob.State.FAILED, job.error_detail
            assert time.monotonic() < deadline, log.read_text(errors="replace")
            time.sleep(0.2)
            job.refresh_from_db()
    finally:
        second.kill()

    assert (job.progress, job.attempts, job.row_count) == (100, 2, count)
    with job.file.open("rb") as handle:
        rows = list(csv.reader(io.StringIO(handle.read().decode("utf-8-sig"))))
    references = [row[5] for row in rows[1:]]  # the agency's own reference, one per project
    assert len(references) == count and len(set(references)) == count  # none missing or twice


def test_a_chunk_run_twice_at_once_writes_its_scores_once(shipped_strategy, celery_worker):
    """A redelivered chunk may start while the first run of it still writes (a visibility
    timeout shorter than the chunk, an on-save rescore of the same project): the second run
    waits for the first and replaces its rows instead of failing on them."""
    from django.db import connection, transaction

    from linkage import services, tasks
    from linkage.models import LinkScore, ProjectAnalysis

    if connection.vendor != "postgresql":
        pytest.skip("row locks of PostgreSQL")
    ids = [complete_project().pk for _ in range(3)]
    with transaction.atomic():  # the first run, caught in the middle of its write
        assert services.rescore_projects(ids).scored == 3
        second = tasks.rescore_chunk.delay(ids)
        deadline = time.monotonic() + 60
        while True:  # until the worker's write waits for this one
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_stat_clear_snapshot()")
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND wait_event_type = 'Lock'"
                )
                if cursor.fetchone()[0]:
                    break
            assert time.monotonic() < deadline, "the second run never reached its write"
            time.sleep(0.1)
    result = second.get(timeout=60)
    assert (result["scored"], result["unchanged"], result["skipped"]) == (3, 0, 0)
    assert ProjectAnalysis.objects.count() == 3
    assert LinkScore.objects.count() == 3
    assert LinkScore.objects.values("project_id", "node_id").distinct().count() == 3
