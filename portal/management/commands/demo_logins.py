from django.conf import settings
from django.core.management.base import BaseCommand

from portal.demo_users import DEMO_USERS, demo_password


class Command(BaseCommand):
    help = "Print the demo logins (demo mode only)."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000/", help="Where the portal is served")

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            self.stdout.write("Not in demo mode: there are no demo users.")
            return
        self.stdout.write(f"\nSOC harm portal: {options['url'].rstrip('/')}/accounts/login/")
        self.stdout.write(f"Demo logins (password: {demo_password()}):")
        for username, _, _, description in DEMO_USERS:
            self.stdout.write(f"  {username:<17} {description}")
        self.stdout.write("")
