"""The quick start's embedded SQLite database: the pages whose queries PostgreSQL alone could
run (date arithmetic, the overdue look-up) work there too, on the demo data, as a newcomer
sees them after ``bash scripts/demo.sh``, and the "to fix" page says why it stays empty there.
Runs in a subprocess with its own database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Inside the subprocess: every figure of both dashboards in every fiscal year, and the list
# behind it.
CHECK = """
import json, re
import django
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()  # the client records the pages' template context
from agencies.models import Membership
from dashboards import selectors
from dashboards.selectors import Scope
found = []
for role in ("analyst", "ministry_approver"):
    member = Membership.objects.filter(role=role).select_related("user", "agency").first()
    client = Client(raise_request_exception=False)
    client.force_login(member.user)
    page = client.get("/dashboards/", follow=True)
    for year in selectors.fiscal_years(member.user):
        shown = client.get(page.redirect_chain[-1][0] if page.redirect_chain else "/dashboards/",
                           {"fiscal_year": year})
        scope = Scope(year, page.context["scope"].agency)
        d = selectors.dashboard(member.user, scope)
        figures = [*d["statuses"], *d["plans"], *d["bands"], d["unscored"], d["total"],
                   d["approved"]]
        named = [(str(f.label), f) for f in figures] + [("overdue", d["overdue"]["figure"])]
        for label, f in named:
            listed = client.get(f.url)
            count = listed.context["page"].paginator.count if listed.status_code == 200 else None
            found.append([role, shown.status_code, label, f.count, listed.status_code, count])
staff = Membership.objects.filter(role="staff").select_related("user").first()
client = Client(raise_request_exception=False)
client.force_login(staff.user)
to_fix = client.get("/checks/")
ran = client.post("/checks/run/")
print("RESULT" + json.dumps({"dashboards": found, "to_fix": [to_fix.status_code,
      to_fix.content.decode(), ran.status_code]}))
"""


def _run(args: list[str], env: dict) -> str:
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    return result.stdout


def test_the_dashboards_and_the_lists_behind_them_work_on_the_embedded_database(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in ("REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND",
                        "DJANGO_ALLOW_ASYNC_UNSAFE")}  # fmt: skip
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", EMENSCR_VAR_DIR=str(tmp_path),
               STATIC_MANIFEST="false", ALLOWED_HOSTS="testserver",
               DJANGO_SETTINGS_MODULE="emenscr.settings")  # fmt: skip
    _run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], env)
    _run([sys.executable, "manage.py", "load_demo"], env)
    out = _run([sys.executable, "-c", CHECK], env)
    result = json.loads(out.split("RESULT", 1)[1])
    rows = result["dashboards"]

    assert {r[0] for r in rows} == {"analyst", "ministry_approver"}
    assert all(r[1] == 200 for r in rows), rows
    for role, _status, label, count, listed, listed_count in rows:
        assert (listed, listed_count) == (200, count), f"{role}: {label}"
    overdue = [r[3] for r in rows if r[0] == "analyst" and r[2] == "overdue"]
    assert sum(overdue) > 0, "the demo has overdue reports to show"

    # The batch checks are PostgreSQL's: the "to fix" page says they do not run here, rather
    # than showing "nothing to fix", and offers no button that would do nothing.
    status, to_fix, ran = result["to_fix"]
    assert status == 200 and "การตรวจสอบแบบกลุ่มต้องใช้ฐานข้อมูล PostgreSQL" in to_fix
    assert 'id="run-checks"' not in to_fix and ran == 302
