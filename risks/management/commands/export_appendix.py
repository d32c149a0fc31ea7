"""python manage.py export_appendix {1|2} --form ID --format {xlsx|pdf} --output PATH"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lianzheng.access_log import log_access
from risks.export_tasks import SnapshotMismatch, export_content, render_file
from risks.models import RiskForm


class Command(BaseCommand):
    help = "Write one 附表1 (unit form) or 附表2 (personal form) as .xlsx or .pdf."

    def add_arguments(self, parser):
        parser.add_argument("appendix", choices=["1", "2"], help="1 = 附表1 部门表, 2 = 附表2 个人表")
        parser.add_argument("--form", type=int, required=True, help="the form's id")
        parser.add_argument("--format", choices=["xlsx", "pdf"], required=True)
        parser.add_argument("--output", required=True, help="file to write ('-' for standard output)")

    def handle(self, *args, appendix, form, format, output, **options):
        found = RiskForm.objects.select_related("unit", "campaign", "post").filter(pk=form).first()
        if found is None:
            raise CommandError(f"No form with id {form} (没有编号为 {form} 的防控表).")
        if str(found.appendix_number) != appendix:
            raise CommandError(
                f"Form {form} is 附表{found.appendix_number}, not 附表{appendix} (防控表 {form} 是附表{found.appendix_number})."
            )
        export = export_content(found)
        try:
            body = render_file(export, format)
        except SnapshotMismatch:
            raise CommandError(f"Form {form}: the approved snapshot no longer matches its stored PDF hash.")
        if output == "-":
            self.stdout.buffer.write(body)
        else:
            path = Path(output)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(body)
            self.stderr.write(f"{path} ({len(body)} bytes)")
        log_access(
            obj=found,
            unit_code=found.unit.code,
            fmt=format,
            detail={"via": "command", "snapshot": export.snapshot.pk if export.snapshot else None},
        )
