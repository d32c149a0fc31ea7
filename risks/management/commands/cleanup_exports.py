"""python manage.py cleanup_exports — delete bulk-export files older than LIANZHENG_EXPORT_KEEP_DAYS (default 7)."""

from django.core.management.base import BaseCommand

from risks.export_tasks import cleanup_old_exports


class Command(BaseCommand):
    help = "Delete bulk-export ZIP files older than settings.LIANZHENG_EXPORT_KEEP_DAYS days (default 7)."

    def handle(self, *args, **options):
        removed = cleanup_old_exports()
        self.stdout.write(f"{removed} file(s) removed")
