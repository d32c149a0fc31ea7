"""Open the missing 附表1/附表2 of every campaign's units, for databases that existed before forms were opened
by services (pages no longer create forms). Idempotent: a second run opens nothing."""

from django.core.management.base import BaseCommand

from risks import services


class Command(BaseCommand):
    help = "Open the missing unit and personal forms (附表1/附表2) of every campaign's units; idempotent."

    def handle(self, *args, **options):
        opened = services.forms_open_missing()
        self.stdout.write(f"opened {opened} form(s)")
