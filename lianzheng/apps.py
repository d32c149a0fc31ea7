from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LianzhengConfig(AppConfig):
    name = "lianzheng"
    verbose_name = _("系统公共")

    def ready(self):
        from django.contrib.admin.models import LogEntry
        from django.db.models.signals import post_save

        from . import audit, checks, tasks  # noqa: F401  (checks registers itself; tasks: looked up by name)

        post_save.connect(audit.record_admin_change, sender=LogEntry, dispatch_uid="lianzheng-admin-audit")
        self._throttle_admin_login()

    @staticmethod
    def _throttle_admin_login():
        """``/admin/login/`` checks the same failure counters as ``/login/`` (one login path, one throttle)."""
        from django.contrib import admin

        from .forms import ThrottledAdminAuthenticationForm

        admin.site.login_form = ThrottledAdminAuthenticationForm
