"""Benchmark: the busiest pages under 20 concurrent clients for 60 s each, served by gunicorn on
PostgreSQL with the country of bench/fill_country.py (target: no errors, p95 ≤ 200 ms).

    .venv/bin/python bench/fill_country.py          # once, about 5 minutes
    .venv/bin/python bench/load_test.py [--seconds 60] [--clients 20] [--workers 4]
        [--page-cache on|off] [--writes-per-second N]

Needs Debian's wrk (apt-get install wrk) and Redis (the shared cache of kept pages, as in
production). Signed-in sessions are made for a department's staff, its agency approver and a
central analyst; each URL is loaded by wrk with that session's cookies, as a browser sends
them. ``--page-cache off`` builds every page; ``--writes-per-second`` saves projects meanwhile
(each save retires every kept page, so those pages are built again).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import secrets
import shutil
import subprocess
import sys
import threading
import time
import urllib.request

from common import ROOT, machine, setup_django

LUA = ROOT / "bench" / "wrk_report.lua"


def users() -> dict:
    """The signed-in user of each role: a department's staff and approver, a central analyst."""
    from django.contrib.auth import get_user_model

    names = {"staff": "bench_staff_B01001", "approver": "bench_approver_B01001",
             "analyst": "bench_analyst"}  # fmt: skip
    return {role: get_user_model().objects.get(username=name) for role, name in names.items()}


def sessions() -> dict[str, str]:
    from django.test import Client

    found = {}
    for role, user in users().items():
        client = Client()
        client.force_login(user)
        found[role] = client.cookies["sessionid"].value
    return found


def browser_cookies(base: str, session: str) -> str:
    """The Cookie header a browser sends once signed in: the session and the CSRF cookie
    its first page set."""
    cookie = {"Cookie": f"sessionid={session}"}
    request = urllib.request.Request(base + "/projects/", headers=cookie)  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (our own server)
        found = re.search(r"csrftoken=([^;]+)", response.headers.get("Set-Cookie", ""))
    assert found, "the first page set no CSRF cookie"
    return f"sessionid={session}; csrftoken={found.group(1)}"


def scenarios() -> list[tuple[str, str, str]]:
    from agencies.models import Agency
    from projects.models import Project

    department = Agency.objects.get(code="B01001")
    project = Project.objects.filter(agency=department).order_by("-id").first()
    assert project is not None, "run bench/fill_country.py first"
    return [
        ("project list (staff)", "staff", "/projects/"),
        ("project list, filtered and searched (analyst)", "analyst",
         "/projects/?fiscal_year=2568&q=%E0%B9%80%E0%B8%81%E0%B8%A9%E0%B8%95%E0%B8%A3"),
        ("project page (staff)", "staff", f"/projects/{project.pk}/"),
        ("approver's queue", "approver", "/projects/queue/"),
        ("API project list (analyst)", "analyst", "/api/v1/projects/"),
    ]  # fmt: skip


def write_steadily(rate: float, stop: threading.Event, done: list) -> None:
    """Save ``rate`` projects a second (each save retires every kept page), as agencies do
    while others read."""
    from django.db import connection
    from django.utils import timezone

    from projects.models import Project

    ids = list(Project.objects.order_by("?").values_list("pk", flat=True)[:2000])
    try:
        while not stop.wait(1 / rate):
            Project.objects.filter(pk=random.choice(ids)).update(updated_at=timezone.now())
            done.append(1)
    finally:
        connection.close()


def wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=5)  # noqa: S310 (our own server)
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--database", default="emenscr_country")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--page-cache",
        choices=("on", "off"),
        default="on",
        help="off: every page is built (core/pagecache.py disabled)",
    )
    parser.add_argument(
        "--writes-per-second",
        type=float,
        default=0,
        help="save this many projects a second while the pages are loaded",
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ["STATIC_MANIFEST"] = "false"
    # The production shape: Redis is the shared cache (kept pages) as well as the broker.
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/3")
    os.environ["PAGE_CACHE_SECONDS"] = "600" if args.page_cache == "on" else "0"
    setup_django(args.database)
    cookies, plan = sessions(), scenarios()
    print(machine())
    env = {**os.environ, "DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1", "CONN_MAX_AGE": "60"}
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "emenscr.wsgi:application", "--bind",
         f"127.0.0.1:{args.port}", "--workers", str(args.workers), "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{args.port}"
    failed = False
    try:
        wait_for(base + "/healthz/")
        cookies = {role: browser_cookies(base, value) for role, value in cookies.items()}
        print(
            f"gunicorn {args.workers} workers; wrk {args.clients} connections, {args.seconds} s;"
            f" page cache {args.page_cache}"
        )
        stop, writes = threading.Event(), []
        if args.writes_per_second:
            threading.Thread(target=write_steadily, daemon=True,
                             args=(args.writes_per_second, stop, writes)).start()  # fmt: skip
            print(f"while {args.writes_per_second:g} projects a second are saved")
        for label, role, path in plan:
            out = subprocess.run(
                ["wrk", "-t2", f"-c{args.clients}", f"-d{args.seconds}s", "-s", str(LUA),
                 "-H", f"Cookie: {cookies[role]}", base + path],
                capture_output=True, text=True, check=True,
            ).stdout  # fmt: skip
            found = dict(re.findall(r"(\w+)=([\d.]+)", out.split("RESULT", 1)[1]))
            errors = int(found["socket_errors"]) + int(found["http_errors"])
            p95 = float(found["p95"])
            ok = errors == 0 and p95 <= 200
            failed |= not ok
            print(f"{label:<48} {int(found['requests']) / args.seconds:7.1f} req/s  "
                  f"p50 {float(found['p50']):6.1f} ms  p95 {p95:6.1f} ms  "
                  f"errors {errors} ({found['timeouts']} timeouts)  "
                  f"{'ok' if ok else 'OVER TARGET'}")  # fmt: skip
        stop.set()
        if writes:
            print(f"{len(writes)} projects saved during the run")
    finally:
        server.terminate()
        server.wait(timeout=30)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
