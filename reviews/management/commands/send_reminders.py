import datetime

from django.core.management.base import BaseCommand, CommandError

from reviews.schedule.reminders import send_reminders


class Command(BaseCommand):
    help = "发送报送材料截止提醒(截止前3天、前1天、逾期每天)；同一天重复运行不会重复发送。"

    def add_arguments(self, parser):
        parser.add_argument("--today", help="按此日期计算(YYYY-MM-DD)，默认今天")

    def handle(self, *args, today=None, **options):
        day = None
        if today:
            try:
                day = datetime.date.fromisoformat(today)
            except ValueError as exc:
                raise CommandError(f"日期格式不正确：{today}(应为 YYYY-MM-DD)") from exc
        counts = send_reminders(day)
        self.stdout.write(
            f"已发送 {counts['sent']} 条提醒(截止前3天 {counts.get('before_3', 0)}，"
            f"截止前1天 {counts.get('before_1', 0)}，逾期 {counts.get('overdue', 0)})；"
            f"已发送过而跳过 {counts['skipped']} 条。"
        )
