from django.core.management import call_command
from django.core.management.base import BaseCommand

from demo.data import DEMO_PASSWORD, USERS, load_agencies, load_users
from demo.linkage import load_linkage, load_overlaps
from demo.plans import load_plans
from demo.progress import load_progress
from demo.projects import DEMO_STAFF, load_projects


class Command(BaseCommand):
    help = (
        "Load the strategy hierarchy, demo agencies, demo users (one per role, plus staff and "
        "approvers of more agencies), demo projects in every workflow state and their progress "
        "reports (idempotent)."
    )

    def handle(self, *args, **options) -> None:
        call_command("load_strategy", stdout=self.stdout)
        agencies = load_agencies()
        load_users()
        new, existing = load_projects()
        new_plans, existing_plans = load_plans()
        self.stdout.write(f"agencies: {len(agencies)}")
        self.stdout.write(f"projects: {new} new, {existing} already loaded")
        self.stdout.write(f"plans: {new_plans} new, {existing_plans} already loaded")
        reports_new, reports_existing = load_progress()
        self.stdout.write(f"progress reports: {reports_new} new, {reports_existing} already loaded")
        load_overlaps()  # a near-duplicate across agencies, for the duplicates page
        scored = load_linkage()
        self.stdout.write(f"linkage scores: {scored.scored} projects scored")
        self.stdout.write(self.style.SUCCESS(f"Demo users (password for all: {DEMO_PASSWORD})"))
        for user in [*USERS, *DEMO_STAFF]:
            self.stdout.write(f"  {user.username:<22} {user.role:<18} agency {user.agency}")
