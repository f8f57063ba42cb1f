"""``manage.py run_checks [--agency CODE] [--today YYYY-MM-DD]``: run the checks now, in this
process, and e-mail the digests, like the nightly task."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from agencies.models import Agency
from checks import services


class Command(BaseCommand):
    help = "Run the batch checks on every project (or one agency and the units below it)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--agency", help="agency code: check only its subtree")
        parser.add_argument("--today", help="the day to judge deadlines by (YYYY-MM-DD)")
        parser.add_argument("--no-mail", action="store_true", help="do not send the digests")

    def handle(self, *args, agency=None, today=None, no_mail=False, **options) -> None:
        agency_ids = None
        if agency:
            try:
                agency_ids = services.subtree_ids(agency)
            except Agency.DoesNotExist as exc:
                raise CommandError(f"No agency with code {agency}") from exc
        try:
            day = date.fromisoformat(today) if today else None
        except ValueError as exc:
            raise CommandError("--today must be YYYY-MM-DD") from exc
        result = services.run_checks(agency_ids=agency_ids, today=day)
        digests = 0 if no_mail else services.send_digests(agency_ids)
        seconds = sum(result.seconds.values())
        self.stdout.write(
            f"checked in {seconds:.1f} s: {result.new} new, {result.seen} open, "
            f"{result.resolved} resolved; {digests} digest e-mails"
        )
        for code, took in result.seconds.items():
            self.stdout.write(f"  {code}: {took:.2f} s")
