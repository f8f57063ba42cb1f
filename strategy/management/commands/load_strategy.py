from django.core.management.base import BaseCommand

from strategy.shipped import load_shipped


class Command(BaseCommand):
    help = "Load the public strategy hierarchy shipped in strategy/data (idempotent)."

    def handle(self, *args, **options) -> None:
        report = load_shipped()
        c = report.counts
        self.stdout.write(
            f"strategy: {c['new']} new, {c['changed']} changed, {c['unchanged']} unchanged"
        )
