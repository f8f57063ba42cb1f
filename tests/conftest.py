"""Test set-up: the real strategy data, a real Celery worker, a real browser.

The suite runs against the database in DATABASE_URL (PostgreSQL in CI, via scripts/test.sh)
and, for Celery, the broker in REDIS_URL. Without REDIS_URL the worker uses kombu's
filesystem transport, so the suite still exercises a separate worker process.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
# Templates use {% static %}; tests serve files from the app folders, not a collected manifest.
settings.STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the shipped hierarchy once into the test database."""
    from strategy.shipped import load_shipped

    with django_db_blocker.unblock():
        load_shipped()


@pytest.fixture
def shipped_strategy(transactional_db):
    """For transactional tests (which empty the tables afterwards): load the hierarchy and
    the provinces again."""
    from core.models import Province
    from core.reference import load_provinces
    from strategy.shipped import load_shipped

    load_shipped()
    load_provinces(Province)


@pytest.fixture
def agencies(db):
    """A small agency tree: two ministries, departments and a unit below one of them."""
    from agencies.models import Agency
    from tests.factories import AgencyFactory

    K = Agency.Kind
    moac = AgencyFactory(code="T07", name_th="กระทรวงเกษตรและสหกรณ์", kind=K.MINISTRY)
    doae = AgencyFactory(code="T07003", name_th="กรมส่งเสริมการเกษตร", parent=moac)
    unit = AgencyFactory(code="T07003001", name_th="กองแผนงาน", parent=doae, kind=K.UNIT)
    rid = AgencyFactory(code="T07004", name_th="กรมชลประทาน", parent=moac)
    moph = AgencyFactory(code="T21", name_th="กระทรวงสาธารณสุข", kind=K.MINISTRY)
    doh = AgencyFactory(code="T21002", name_th="กรมอนามัย", parent=moph)
    nesdc = AgencyFactory(code="T01010", name_th="สศช.")
    return {
        "moac": moac,
        "doae": doae,
        "unit": unit,
        "rid": rid,
        "moph": moph,
        "doh": doh,
        "nesdc": nesdc,
    }


# --- a real Celery worker --------------------------------------------------------------------


def _database_url() -> str:
    from django.db import connection

    s = connection.settings_dict
    if s["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{s['NAME']}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


_worker_running = False  # the session's worker is up (it takes any test's queued tasks)


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, tmp_path_factory):
    """A `celery worker` process on the suite's broker and test database.

    Tests that use it must commit their data (``transactional_db``) so the worker sees it."""
    from emenscr.celery import app

    mail_dir = tmp_path_factory.mktemp("worker-mail")
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": "emenscr.settings",
        "EMAIL_URL": f"filemail:///{mail_dir}",  # e-mails the worker sends land here
    }
    app.control.purge()  # nothing left over from an earlier, interrupted run
    log = tmp_path_factory.mktemp("celery") / "worker.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "emenscr",
                "worker",
                "--pool=solo",
                "--loglevel=info",
                "--without-gossip",
                "--without-mingle",
                "-n",
                f"test-{os.getpid()}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while b"ready." not in log.read_bytes():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail("Celery worker did not start:\n" + log.read_text(errors="replace"))
        time.sleep(0.2)
    proc.mail_dir = mail_dir
    global _worker_running
    _worker_running = True
    yield proc
    _worker_running = False
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


def _database_in_use() -> bool:
    from django.db import connection

    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
            " AND state <> 'idle'"
        )
        return cursor.fetchone()[0] > 0


def _wait_until_worker_idle(timeout: float = 120) -> None:
    """Until the worker has nothing queued or running, twice in a row (a task may queue the
    next: a rescore queues the checks). A test's data is emptied right after it; a task still
    writing then would fail, or deadlock with the emptying."""
    from emenscr.celery import app

    deadline, quiet, failing_since = time.monotonic() + timeout, 0, None
    while quiet < 2 and time.monotonic() < deadline:
        try:
            with app.connection_for_write() as conn:
                waiting = conn.default_channel.queue_declare(
                    queue=app.conf.task_default_queue, passive=True
                ).message_count
            inspect = app.control.inspect(timeout=0.5, limit=1)
            # Reserved too: a message the worker has taken but not started yet is in neither
            # the queue nor the active list (a rescore's follow-up checks, for one).
            replies = [inspect.active(), inspect.reserved()]
            # What the emptying would deadlock with, whatever the broker says: another
            # connection in the middle of a statement or a transaction on the test database.
            in_use = _database_in_use()
        except Exception:
            # The broker or the database is down in this test: nothing runs. One failed
            # look-up on a loaded machine (a reply timing out) is not that, though.
            failing_since = failing_since or time.monotonic()
            if time.monotonic() - failing_since > 5:
                return
            time.sleep(0.2)
            continue
        failing_since = None
        # A busy solo worker does not answer (None).
        busy = in_use or any(r is None or any(r.values()) for r in replies)
        quiet = quiet + 1 if not (waiting or busy) else 0
        time.sleep(0.1)
    if quiet < 2:
        sys.stderr.write(f"the worker was still busy after {timeout:.0f} s\n")


def _commits(item) -> bool:
    """Does the test commit its data (what a worker could then read and write)?"""
    marker = item.get_closest_marker("django_db")
    names = getattr(item, "fixturenames", ())
    return bool(
        (marker and marker.kwargs.get("transaction"))
        or {"transactional_db", "live_server", "celery_worker"} & set(names)
    )


def _flush_retrying_teardown(original):
    """TransactionTestCase's emptying of the tables, tried again after the worker is idle.

    The wait after each committing test (below) covers what the worker was asked to do, but a
    task the worker still runs past that wait (a PDF build on a loaded CI machine) can deadlock
    with the TRUNCATE; the flush is one transaction, rolled back whole when it fails, so
    trying it again once the database is quiet is safe. Without this one failed flush also
    failed the next test, whose agencies met the ones left behind."""
    from django.core.management.base import CommandError

    @functools.wraps(original)
    def teardown(self) -> None:
        for attempt in range(1, 4):
            try:
                return original(self)
            except CommandError as exc:
                if attempt == 3:
                    raise
                sys.stderr.write(f"flush failed ({exc.__cause__!r}); trying again\n")
                if _worker_running:
                    _wait_until_worker_idle()
                deadline = time.monotonic() + 60
                while _database_in_use() and time.monotonic() < deadline:
                    time.sleep(0.2)

    return teardown


def pytest_configure(config) -> None:
    from django.test import TransactionTestCase

    TransactionTestCase._fixture_teardown = _flush_retrying_teardown(
        TransactionTestCase._fixture_teardown
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    yield
    # Once started, the session's worker also takes what tests without it queue (a saved
    # project's rescore), so every committing test waits for it before its data is emptied.
    if _worker_running and _commits(item):
        _wait_until_worker_idle()


@pytest.fixture(autouse=True)
def _page_cache(request, settings):
    """Kept pages (core/pagecache.py) have no template context, which most page tests read:
    they are on, as in production, only in browser tests and tests marked ``page_cache``."""
    if "page" not in request.fixturenames and not request.node.get_closest_marker("page_cache"):
        settings.PAGE_CACHE_SECONDS = 0


# --- a real browser --------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's loop runs in this thread
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="th-TH", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    yield page
    context.close()
