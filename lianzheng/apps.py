from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LianzhengConfig(AppConfig):
    name = "lianzheng"
    verbose_name = _("系统公共")
