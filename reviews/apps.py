from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("监督检查")

    def ready(self):
        # django-rules autodiscovers only rules.py, Celery only tasks.py: register the schedule's modules here.
        from lianzheng.figures import register

        from .figures import DELIVERABLES, SUPERVISION
        from .schedule import rules, tasks  # noqa: F401

        register(DELIVERABLES)
        register(SUPERVISION)
