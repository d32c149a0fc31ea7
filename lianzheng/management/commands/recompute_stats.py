"""``manage.py recompute_stats [--check] [--only NAME ...]``: rebuild the kept figures from the rows.

Run it after a bulk load or a database restore. With ``--check`` it changes nothing, prints every difference
between what is kept and what the rows say, and exits non-zero when there is one.
"""

from django.core.management.base import BaseCommand, CommandError

from lianzheng import figures


class Command(BaseCommand):
    help = "Rebuild the figures kept for pages from the rows; --check only compares (non-zero exit on a difference)."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="compare only; exit 1 on any difference")
        parser.add_argument("--only", nargs="+", metavar="NAME", help="only these keepers")

    def handle(self, *args, check=False, only=None, **options):
        try:
            figures.keepers(only)
        except KeyError as error:
            known = ", ".join(k.name for k in figures.keepers())
            raise CommandError(f"Unknown keeper(s) / 未知的统计项: {error.args[0]} (known / 可选: {known})")
        if check:
            found = figures.differences(only)
            total = 0
            for name, lines in found.items():
                for line in lines:
                    self.stdout.write(f"{name}: {line}")
                total += len(lines)
                if not lines:
                    self.stdout.write(f"{name}: ok")
            if total:
                raise CommandError(f"{total} difference(s) between kept and recomputed figures / 统计数与数据不一致")
            return
        written = figures.rebuild_all(only)
        for name, rows in written.items():
            self.stdout.write(f"{name}: {rows} row(s) rebuilt")
