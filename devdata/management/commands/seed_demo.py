"""Load the demo data: each module of ``devdata.demo`` in ``SEED_ORDER`` (units, risks, measures, rules,
supervision with the schedule). Every step is idempotent, so running the command twice leaves the same data."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

from devdata.demo import SEED_ORDER
from lianzheng import figures


class Command(BaseCommand):
    help = "Create or update the demo data (pilot units, users with password demo12345, forms, complaints...)."

    def handle(self, *args, **options):
        # The demo's workflow steps notify people; their e-mails are kept in memory rather than sent or printed.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            with transaction.atomic():
                for module in SEED_ORDER:
                    module.seed(stdout=self.stdout)
                # The demo modules write some rows around the services: rebuild the kept figures from the rows.
                figures.rebuild_all()
        self.stdout.write(self.style.SUCCESS("演示数据已就绪 (demo data ready). 密码 / password: demo12345"))
