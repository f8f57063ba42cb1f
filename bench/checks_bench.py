"""Batch-checks benchmark: the nightly run (every check, the findings' upsert and the digest
e-mails) over the 100,000-project country database, then a re-run (nothing new, no e-mail),
then one project's recheck. Target: the nightly run ≤ 5 minutes on one worker.

Run it on a COPY of the country template (never on the template itself):

    createdb -h 127.0.0.1 -U postgres -T emenscr_country emenscr_country_checks
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/emenscr_country_checks \\
        .venv/bin/python bench/checks_bench.py
    dropdb -h 127.0.0.1 -U postgres emenscr_country_checks

The copy is migrated (the checks' table). The country fill stores no linkage scores, so a
copy without any gets one score per primary link (a spread of 0-99, about 30 % weak) so the
weak-linkage check has work to do, and users without an e-mail address get one. The run is the
nightly task's body in this process, i.e. one worker; e-mails go to Django's in-memory backend
and are counted.
"""

from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emenscr.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core import mail  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from bench.common import machine  # noqa: E402

TARGET_S = 300


def _seed_link_scores() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM linkage_linkscore")
        if cursor.fetchone()[0]:
            return 0
        cursor.execute(
            """INSERT INTO linkage_linkscore (project_id, node_id, factor_id, is_primary,
                   version, score, rank, rank_of, chain_ok, chain_problems, signals,
                   project_terms, target_terms, better)
               SELECT l.project_id, l.node_id, l.factor_id, true, 'bench',
                      (l.project_id * 37) % 100, 1, 1, true, '[]', '{}', '[]', '[]', '[]'
               FROM projects_strategylink l WHERE l.is_primary"""
        )
        seeded = cursor.rowcount
        cursor.execute("ANALYZE linkage_linkscore")
        return seeded


def main() -> None:
    from checks import services, tasks
    from checks.models import Finding

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    call_command("migrate", verbosity=0)
    seeded = _seed_link_scores()
    with connection.cursor() as cursor:
        # The fill gives its users no address: give them one, so digests are really sent.
        cursor.execute("UPDATE auth_user SET email = username || '@bench.go.th' WHERE email = ''")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM projects_project")
        projects = cursor.fetchone()[0]
    Finding.objects.all().delete()
    print(machine())
    print(f"projects: {projects:,}; link scores seeded: {seeded:,}")
    print(f"load before: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")

    started = time.perf_counter()
    first = tasks.run_checks()
    nightly = time.perf_counter() - started
    digests = len(mail.outbox)
    print(f"nightly run: {nightly:.1f} s (target {TARGET_S} s) — {first['new']:,} findings, "
          f"{first['digests']:,} digest e-mails ({digests:,} in the outbox)")  # fmt: skip
    for code, took in first["seconds"].items():
        print(f"  {code}: {took:.2f} s")

    started = time.perf_counter()
    second = tasks.run_checks()
    rerun = time.perf_counter() - started
    print(f"re-run: {rerun:.1f} s — {second['new']} new, {second['seen']:,} still open, "
          f"{second['resolved']} resolved, {second['digests']} digest e-mails")  # fmt: skip

    project_id = Finding.objects.values_list("project_id", flat=True).first()
    started = time.perf_counter()
    services.recheck_projects([project_id])
    recheck = (time.perf_counter() - started) * 1000
    print(f"one project's recheck: {recheck:.0f} ms")
    by_code = dict(
        Finding.objects.filter(resolved_at__isnull=True)
        .values_list("code")
        .annotate(n=django.db.models.Count("id"))
    )
    print("open findings by check:", by_code)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak:.0f} MB; load after: {os.getloadavg()[0]:.2f} "
          f"{os.getloadavg()[1]:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
