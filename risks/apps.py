from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RisksConfig(AppConfig):
    name = "risks"
    verbose_name = _("风险识别")

    def ready(self):
        # Register the Celery tasks in every process (web, worker, beat), so they can be looked up by name.
        from . import tasks  # noqa: F401
