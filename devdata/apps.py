from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DevdataConfig(AppConfig):
    """Demo data (``seed_demo``) and the synthetic campus (``generate_dataset``): development and benchmark tools,
    kept out of the runtime apps. It sits on top: it imports every app, and no app imports it."""

    name = "devdata"
    verbose_name = _("演示与合成数据")
