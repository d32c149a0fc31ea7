from django.core.management.base import BaseCommand, CommandError

from lianzheng.audit import keyring, verify_chain


class Command(BaseCommand):
    help = (
        "Check the audit chain under LIANZHENG_AUDIT_KEY (and LIANZHENG_AUDIT_OLD_KEYS); exit non-zero and name the "
        "missing, edited or re-signed events if it was tampered with."
    )

    def handle(self, *args, **options):
        report = verify_chain()
        if not report.intact:
            lines = [f"审计日志校验失败 (audit log tampered): {report.count} events present"]
            lines += [f"  - {problem}" for problem in report.problems]
            if report.truncated:
                lines.append("  - … (更多问题未列出 / more problems not listed)")
            raise CommandError("\n".join(lines))
        keys = ", ".join(sorted(keyring()))
        self.stdout.write(
            self.style.SUCCESS(f"审计日志完整 (audit log intact): {report.count} events; keys accepted: {keys}")
        )
