"""``import_roster FILE.xlsx [--dry-run]`` and ``import_roster --template PATH``.

All rows or none: a file with any bad row is refused, with every error listed by row and column, and the
command exits non-zero.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from units.roster import COUNT_LABELS, write_template
from units.services import roster_import


class Command(BaseCommand):
    help = "Import units, offices, posts and people from a roster workbook (.xlsx), or write the blank template."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="the roster workbook (.xlsx)")
        parser.add_argument("--dry-run", action="store_true", help="check the file and show what would change")
        parser.add_argument(
            "--template", metavar="PATH", help="write the blank template (header row and one example row)"
        )

    def handle(self, *args, **options):
        if options["template"]:
            target = Path(options["template"])
            write_template(target)
            self.stdout.write(self.style.SUCCESS(f"已写入花名册模板 (template written): {target}"))
            if not options["file"]:
                return
        if not options["file"]:
            raise CommandError("请指定花名册文件 (give the roster file), 或使用 --template PATH")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件 (file not found): {path}")

        plan = roster_import(file=path, actor=None, dry_run=options["dry_run"])
        if plan.errors:
            lines = [str(error) for error in plan.errors]
            raise CommandError(
                f"花名册有 {len(lines)} 处错误，未导入任何数据 (roster rejected, nothing imported):\n"
                + "\n".join(lines)
            )
        counts = plan.counts
        for key, label in COUNT_LABELS:
            self.stdout.write(f"{label}: {counts[key]}")
        if options["dry_run"]:
            self.stdout.write(self.style.WARNING("试运行，未写入任何数据 (dry run, nothing written)"))
        elif plan.total_changes:
            self.stdout.write(self.style.SUCCESS(f"导入完成，共 {plan.total_changes} 项变更 (imported)"))
        else:
            self.stdout.write(self.style.SUCCESS("数据已是最新，没有变更 (no changes)"))
