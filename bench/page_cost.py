"""Benchmark: what one request of each load-test page costs, one at a time, warm.

    .venv/bin/python bench/page_cost.py [--database emenscr_country] [--repeat 20] [--profile N]

Prints, per page, the median wall time, the median CPU time of this process (Python: views,
templates, middleware), the number of Python function calls of one request (what the code
does, whatever else runs on the machine) and the SQL queries with their time.
``--profile N`` prints cProfile's top functions for page N (0-based) by cumulative time.
With REDIS_URL set, pages are kept (core/pagecache.py) and the figures are those of a kept
page; add PAGE_CACHE_SECONDS=0 to measure building them.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import secrets
import statistics
import time

from common import machine, setup_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", default="emenscr_country")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--profile", type=int, default=None)
    args = parser.parse_args()
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ["STATIC_MANIFEST"] = "false"
    os.environ["DEBUG"] = "false"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    setup_django(args.database)

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from load_test import scenarios, users

    print(machine())
    logins = users()
    print(f"{'page':<48} {'wall p50':>9} {'CPU p50':>9} {'calls':>7} {'SQL':>4} {'SQL ms':>7}")
    for index, (label, role, path) in enumerate(scenarios()):
        client = Client()
        client.force_login(logins[role])
        client.get(path)  # warm caches and the connection
        walls, cpus = [], []
        for _ in range(args.repeat):
            wall, cpu = time.perf_counter(), time.process_time()
            response = client.get(path)
            cpus.append(time.process_time() - cpu)
            walls.append(time.perf_counter() - wall)
            assert response.status_code == 200, (path, response.status_code)
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        captured = list(queries.captured_queries)  # the next request's request_started clears it
        sql_ms = sum(float(q["time"]) for q in captured) * 1000
        counter = cProfile.Profile()  # Python calls: a cost that does not depend on the load
        counter.runcall(client.get, path)
        calls = pstats.Stats(counter).total_calls / 1000
        wall_ms, cpu_ms = statistics.median(walls) * 1000, statistics.median(cpus) * 1000
        print(
            f"{label:<48} {wall_ms:7.1f}ms {cpu_ms:7.1f}ms {calls:6.0f}k "
            f"{len(captured):4d} {sql_ms:6.1f}ms"
        )
        if args.profile == index:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(5):
                client.get(path)
            profiler.disable()
            pstats.Stats(profiler).sort_stats(os.environ.get("SORT", "cumulative")).print_stats(45)
            for q in sorted(captured, key=lambda q: -float(q["time"]))[:8]:
                print(f"{float(q['time']) * 1000:7.1f} ms  {q['sql'][:300]}")


if __name__ == "__main__":
    main()
