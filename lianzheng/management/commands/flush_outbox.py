"""Hand queued work that waited out a broker outage to the broker now (beat does it every minute)."""

from django.core.management.base import BaseCommand

from lianzheng import outbox


class Command(BaseCommand):
    help = "把因消息队列不可用而暂存的任务交给队列 (hand pending outbox messages to the broker)"

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="include messages queued in the last 30 seconds")

    def handle(self, *args, **options):
        from datetime import timedelta

        older_than = timedelta(0) if options["all"] else outbox.FLUSH_AFTER
        waiting = outbox.pending(older_than=older_than).count()
        handed = outbox.flush(older_than=older_than)
        self.stdout.write(f"outbox: {handed} of {waiting} pending message(s) handed over")
        if handed < waiting:
            self.stderr.write("some messages are still pending (is the broker reachable?)")
