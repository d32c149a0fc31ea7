from django.conf import settings

from lianzheng.notifications import unread_count

from .navigation import nav_for


def frame(request):
    """What base.html needs on every page: the system name, the navigation and the bell."""
    user = getattr(request, "user", None)
    context = {
        "system_name": settings.LIANZHENG["SYSTEM_NAME"],
        "school_name": settings.LIANZHENG["SCHOOL_NAME"],
    }
    if user is not None and user.is_authenticated:
        context["nav_items"] = nav_for(user, request.path)
        context["unread_notifications"] = unread_count(user)
    return context
