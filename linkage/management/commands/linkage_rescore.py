"""manage.py linkage_rescore [--fiscal-year Y] [--agency CODE] [--no-wait]

Queues the batch rescore as Celery tasks (chunks of 1,000 projects) and shows the progress
until every chunk is done."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from agencies.models import Agency
from linkage import tasks


class Command(BaseCommand):
    help = "Rescore the linkage of projects in Celery (a fiscal year, an agency, or all)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--fiscal-year", type=int, help="Buddhist-era fiscal year, e.g. 2568")
        parser.add_argument("--agency", help="agency code (its units below are included)")
        parser.add_argument("--no-wait", action="store_true", help="queue and return")
        parser.add_argument("--timeout", type=float, default=3600)

    def handle(self, *args, **options) -> None:
        agency = options["agency"]
        if agency and not Agency.objects.filter(code=agency).exists():
            raise CommandError(f"Unknown agency code: {agency}")
        result, count = tasks.queue_selection(options["fiscal_year"], agency)
        total = len(result.results)
        self.stdout.write(f"queued {count} projects in {total} tasks (group {result.id})")
        if options["no_wait"] or not total:
            return
        deadline = time.monotonic() + options["timeout"]
        last = -1
        while not result.ready():
            done = result.completed_count()
            if done != last:
                self.stdout.write(f"{done}/{total} tasks done")
                last = done
            if time.monotonic() > deadline:
                raise CommandError("Timed out; the tasks go on in the worker.")
            time.sleep(0.5)
        totals = {"scored": 0, "unchanged": 0, "skipped": 0}
        for part in result.get(disable_sync_subtasks=False):
            for key in totals:
                totals[key] += part.get(key, 0)
        self.stdout.write(f"{total}/{total} tasks done: " + ", ".join(
            f"{k} {v}" for k, v in totals.items()))  # fmt: skip
