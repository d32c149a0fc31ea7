"""``{% unit_supervision unit %}`` / ``{% post_supervision post %}``: the supervision panel for the unit and post pages.

A template tag rather than view context because ``units`` sits below ``reviews`` (DESIGN §4): the units app's
views must not import this app, but its templates may ask for the panel.
"""

import rules
from django import template

from .. import selectors

register = template.Library()


def _panel(context, unit, post=None) -> dict:
    user = context["request"].user
    if not user.is_authenticated or unit is None:
        return {"visible": False}
    data = selectors.unit_supervision(user, unit, post=post)
    # Reviewers, school leaders and the unit's leader see the panel; anyone else only what concerns themselves.
    data["visible"] = rules.has_perm("reviews.view_unit_supervision", user, unit) or bool(
        data["sv_warnings"] or data["sv_supervisions"]
    )
    return data


@register.inclusion_tag("reviews/_unit_supervision.html", takes_context=True)
def unit_supervision(context, unit):
    return _panel(context, unit)


@register.inclusion_tag("reviews/_unit_supervision.html", takes_context=True)
def post_supervision(context, post):
    return _panel(context, post.unit if post is not None else None, post=post)
