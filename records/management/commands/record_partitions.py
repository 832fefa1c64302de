from django.core.management.base import BaseCommand

from records.services import record_partitions_maintain


class Command(BaseCommand):
    help = ("PostgreSQL: create the records' month partitions for this month and the next ones, move the rows "
            "of any month found in the DEFAULT partition into a partition of its own, and analyse the table. "
            "Safe to run at any time (also scheduled daily); nothing to do on SQLite.")

    def add_arguments(self, parser):
        parser.add_argument("--ahead", type=int, default=3, help="months after this one to create (default 3)")

    def handle(self, *args, ahead, **options):
        done = record_partitions_maintain(ahead=ahead)
        for what in ("created", "split"):
            months = ", ".join(m.strftime("%Y-%m") for m in done[what]) or "none"
            self.stdout.write(f"{what}: {months}")
