"""Template tags other pages use to show measures without importing this app (risks must not import measures).

On the risk form page (附表1/附表2)::

    {% load measures_tags %}
    {% point_measures point %}                          {# the point's unit measures, three stage lists (R7) #}
    {% point_measures point personal_form=form %}       {# the holder's own measures on 附表2 #}
    {% pledge_block form %}                             {# the 个人廉政承诺 and its acceptance #}

Prefetch ``posts`` and ``measures`` on the points to keep the page's query count fixed.
"""

from django import template

from .. import selectors, services

register = template.Library()


@register.inclusion_tag("measures/_point_measures.html", takes_context=True)
def point_measures(context, point, personal_form=None, next_url=None):
    request = context["request"]
    fragment = selectors.point_fragment(user=request.user, point=point, personal_form=personal_form)
    # The page may have marked the point frozen (measures.services.frozen_forms_by_point): no edit buttons then.
    frozen_form = getattr(point, "frozen_form", None)
    fragment.update(
        {
            "frozen_form": frozen_form,
            "frozen_notice": services.frozen_notice(frozen_form) if frozen_form else "",
            "request": request,
            "csrf_token": context.get("csrf_token"),
            "next_url": next_url or request.get_full_path(),
        }
    )
    return fragment


@register.inclusion_tag("measures/_pledge.html", takes_context=True)
def pledge_block(context, form, next_url=None):
    request = context["request"]
    block = selectors.pledge_context(user=request.user, form=form)
    block.update(
        {"request": request, "csrf_token": context.get("csrf_token"), "next_url": next_url or request.get_full_path()}
    )
    return block
