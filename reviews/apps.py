from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("监督检查")

    def ready(self):
        # django-rules autodiscovers only rules.py, Celery only tasks.py: register the schedule's modules here.
        from lianzheng.figures import register

        from . import schedule_rules, tasks_schedule  # noqa: F401
        from .figures import DELIVERABLES, SUPERVISION

        register(DELIVERABLES)
        register(SUPERVISION)
