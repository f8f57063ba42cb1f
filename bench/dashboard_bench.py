"""Benchmark: the dashboards' queries on a country of 100,000 projects (target: each
dashboard's queries at most 300 ms in total), national (a central analyst) and one big agency
(a ministry's approver: the ministry and every unit below it).

    createdb -h 127.0.0.1 -U postgres -T emenscr_country emenscr_country_NAME
    .venv/bin/python bench/dashboard_bench.py --database emenscr_country_NAME

Runs against a copy of bench/fill_country.py's database (it adds primary-link scores when the
copy has none, as the linkage batch would). Each figure's selector runs once to warm the cache,
then ``--runs`` times; the median of each is printed with its SQL query count, and the total.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from common import machine, setup_django


def ensure_scores() -> int:
    """Primary-link scores for every project (what the linkage batch leaves), when missing."""
    from django.db import connection

    from linkage.models import LinkScore

    if LinkScore.objects.exists():
        return LinkScore.objects.count()
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO linkage_linkscore (project_id, node_id, factor_id, is_primary, version,
                   score, rank, rank_of, chain_ok, chain_problems, signals, project_terms,
                   target_terms, better)
               SELECT project_id, node_id, factor_id, is_primary, 'bench',
                   (random() * 100)::int, 1 + (random() * 20)::int, 97, true,
                   '[]', '{}', '[]', '[]', '[]'
               FROM projects_strategylink"""
        )
        cursor.execute("ANALYZE linkage_linkscore")
    return LinkScore.objects.count()


def big_ministry():
    """The ministry with the most projects below it, and a ministry approver of it."""
    from django.db.models import Count

    from agencies.models import Agency, Membership
    from projects.models import Project
    from tests.factories import UserFactory

    per_ministry: dict[int, int] = {}
    ministries = {a.pk: a for a in Agency.objects.filter(kind=Agency.Kind.MINISTRY)}
    parent = dict(Agency.objects.values_list("pk", "parent_id"))
    for agency_id, n in Project.objects.values_list("agency_id").annotate(n=Count("id")):
        top = agency_id
        while parent.get(top):
            top = parent[top]
        per_ministry[top] = per_ministry.get(top, 0) + n
    ministry = ministries[max(per_ministry, key=per_ministry.get)]
    member = Membership.objects.filter(
        agency=ministry, role=Membership.Role.MINISTRY_APPROVER
    ).first()
    user = member.user if member else None
    if user is None:
        user = UserFactory(username=f"bench_dash_{ministry.code}")
        Membership.objects.create(user=user, agency=ministry,
                                  role=Membership.Role.MINISTRY_APPROVER)  # fmt: skip
    return ministry, user, per_ministry[ministry.pk]


def time_dashboard(user, scope, runs: int) -> tuple[dict[str, tuple[float, int]], float]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dashboards import selectors

    found = {}
    for name, selector in selectors.QUERIES.items():
        selector(user, scope)  # warm: the grants, the hierarchy map, PostgreSQL's cache
        times = []
        for _ in range(runs):
            # Nothing kept from the run before: each run is a new request.
            user.__dict__.pop("_dashboard_projects", None)
            user.__dict__.pop("_dashboard_summary", None)
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                selector(user, scope)
                times.append((time.perf_counter() - start) * 1000)
        found[name] = (statistics.median(times), len(queries))
    return found, sum(t for t, _n in found.values())


def time_page(user, url: str, runs: int) -> float:
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    client.get(url)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default="emenscr_country_dashboards")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--fiscal-year", type=int)
    args = parser.parse_args()
    setup_django(args.database)
    from django.conf import settings

    # Pages load {% static %} without a collected manifest here, as the tests do.
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # fmt: skip
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from agencies.models import Membership
    from dashboards.selectors import Scope
    from projects.models import Project

    print(machine())
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"projects: {Project.objects.count():,}; link scores: {ensure_scores():,}")
    fy = (
        args.fiscal_year
        or (
            Project.objects.values("fiscal_year")
            .annotate(n=Count("id"))
            .order_by("-n")[0]["fiscal_year"]
        )
    )
    analyst = (
        get_user_model()
        .objects.filter(memberships__role=Membership.Role.ANALYST, is_active=True)
        .first()
    )
    ministry, approver, n = big_ministry()
    cases = [
        ("national (analyst)", analyst, Scope(fy), f"/dashboards/?fiscal_year={fy}"),
        (f"agency {ministry.code} ({n:,} projects below it)", approver, Scope(fy, ministry),
         f"/dashboards/agency/{ministry.pk}/?fiscal_year={fy}"),
    ]  # fmt: skip
    for label, user, scope, url in cases:
        found, total = time_dashboard(user, scope, args.runs)
        print(f"\n{label}, FY {fy}, median of {args.runs} warm runs:")
        for name, (ms, queries) in found.items():
            print(f"  {name:<42} {ms:8.1f} ms  ({queries} SQL)")
        verdict = "met" if total <= 300 else "NOT met"
        print(f"  {'total':<42} {total:8.1f} ms  (target 300 ms: {verdict})")
        print(f"  whole page (view + template) {time_page(user, url, 3):8.1f} ms")
    print(f"\nload average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
