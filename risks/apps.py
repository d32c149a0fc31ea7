from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _open_forms_for_units(sender, *, campaign, unit_ids, actor=None, **kwargs):
    from . import services

    services.forms_open_for_units(campaign=campaign, unit_ids=unit_ids, actor=actor)


def _open_forms_for_posts(sender, *, post_ids, actor=None, **kwargs):
    from . import services

    services.forms_open_for_posts(post_ids=post_ids, actor=actor)


class RisksConfig(AppConfig):
    name = "risks"
    verbose_name = _("风险识别")

    def ready(self):
        # Register the Celery tasks in every process (web, worker, beat), so they can be looked up by name.
        from units import signals

        from . import tasks  # noqa: F401

        # Forms are opened by services when a campaign starts for a unit or a post gets a holder, never by a GET.
        signals.campaign_units_added.connect(_open_forms_for_units, dispatch_uid="risks.open_forms_for_units")
        signals.posts_changed.connect(_open_forms_for_posts, dispatch_uid="risks.open_forms_for_posts")
        self._register_kept_figures()

    def _register_kept_figures(self):
        """The kept risk figures (``risks.figures``), rebuilt and checked by ``recompute_stats``."""
        from lianzheng import figures as kept_figures
        from units import signals

        from . import figures as risk_figures

        kept_figures.register(
            kept_figures.Keeper("risks", rebuild=risk_figures.rebuild, differences=risk_figures.differences)
        )
        signals.roster_applied.connect(risk_figures.on_roster_applied, dispatch_uid="risks.figures.roster")
