from django.core.management.base import BaseCommand, CommandError

from lianzheng.audit import verify_chain
from lianzheng.models import AuditEvent


class Command(BaseCommand):
    help = "Check the hash chain of the audit log; exit non-zero and name the first bad row if it was tampered with."

    def handle(self, *args, **options):
        problem = verify_chain()
        if problem is not None:
            where = f"row {problem.event_id}" if problem.event_id is not None else "end of chain"
            raise CommandError(f"审计日志校验失败 (audit log tampered): {where}: {problem.reason}")
        self.stdout.write(self.style.SUCCESS(f"审计日志完整 (audit log intact): {AuditEvent.objects.count()} events"))
