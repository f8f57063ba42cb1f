from django.core.management import call_command
from django.core.management.base import BaseCommand

from demo.data import DEMO_PASSWORD, USERS, load_agencies, load_users
from demo.linkage import load_linkage
from demo.projects import DEMO_STAFF, load_projects


class Command(BaseCommand):
    help = (
        "Load the strategy hierarchy, demo agencies, demo users (one per role, plus staff and "
        "approvers of more agencies) and demo projects in every workflow state (idempotent)."
    )

    def handle(self, *args, **options) -> None:
        call_command("load_strategy", stdout=self.stdout)
        agencies = load_agencies()
        load_users()
        new, existing = load_projects()
        scored = load_linkage()
        self.stdout.write(f"agencies: {len(agencies)}")
        self.stdout.write(f"projects: {new} new, {existing} already loaded")
        self.stdout.write(f"linkage scores: {scored.scored} projects scored")
        self.stdout.write(self.style.SUCCESS(f"Demo users (password for all: {DEMO_PASSWORD})"))
        for user in [*USERS, *DEMO_STAFF]:
            self.stdout.write(f"  {user.username:<22} {user.role:<18} agency {user.agency}")
