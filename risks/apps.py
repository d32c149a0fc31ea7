from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RisksConfig(AppConfig):
    name = "risks"
    verbose_name = _("风险识别")

    def ready(self):
        # Register the Celery tasks in every process (web, worker, beat), so they can be looked up by name.
        from . import tasks  # noqa: F401

        self._register_kept_figures()

    def _register_kept_figures(self):
        """The kept risk figures (``risks.figures``), rebuilt and checked by ``recompute_stats``."""
        from lianzheng import figures as kept_figures

        from . import figures as risk_figures

        kept_figures.register(
            kept_figures.Keeper("risks", rebuild=risk_figures.rebuild, differences=risk_figures.differences)
        )
        from units.figure_signals import roster_applied

        roster_applied.connect(risk_figures.on_roster_applied, dispatch_uid="risks.figures.roster")
