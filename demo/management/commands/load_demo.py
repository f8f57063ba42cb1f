from django.core.management import call_command
from django.core.management.base import BaseCommand

from demo.data import DEMO_PASSWORD, load_agencies, load_users


class Command(BaseCommand):
    help = "Load the strategy hierarchy, demo agencies and one demo user per role (idempotent)."

    def handle(self, *args, **options) -> None:
        call_command("load_strategy", stdout=self.stdout)
        agencies = load_agencies()
        users = load_users()
        self.stdout.write(f"agencies: {len(agencies)}")
        self.stdout.write(self.style.SUCCESS(f"Demo users (password for all: {DEMO_PASSWORD})"))
        for user in users:
            self.stdout.write(f"  {user.username:<18} {user.role:<18} agency {user.agency}")
