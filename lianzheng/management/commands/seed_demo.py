"""Load the demo data: each app's ``demo.seed(stdout=...)`` in INSTALLED_APPS order (units, risks, measures,
reviews). Every step is idempotent, so running the command twice leaves the same data.

Like the URL configuration, this command sits above the apps and reaches them by name only.
"""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

from lianzheng import figures


class Command(BaseCommand):
    help = "Create or update the demo data (pilot units, users with password demo12345, forms, complaints...)."

    def handle(self, *args, **options):
        # The demo's workflow steps notify people; their e-mails are kept in memory rather than sent or printed.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            with transaction.atomic():
                for config in apps.get_app_configs():
                    if not config.name.isidentifier() or find_spec(f"{config.name}.demo") is None:
                        continue
                    module = import_module(f"{config.name}.demo")
                    module.seed(stdout=self.stdout)
                # The demo modules write some rows around the services: rebuild the kept figures from the rows.
                figures.rebuild_all()
        self.stdout.write(self.style.SUCCESS("演示数据已就绪 (demo data ready). 密码 / password: demo12345"))
