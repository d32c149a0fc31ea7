from django.conf import settings

from .navigation import nav_for
from .notifications import unread_count


def frame(request):
    """What base.html needs on every page: the system name, the navigation and the bell; and how long a table
    body rendered under a digest of its content is kept (``{% cache fragment_seconds … digest %}``)."""
    user = getattr(request, "user", None)
    context = {
        "system_name": settings.LIANZHENG["SYSTEM_NAME"],
        "school_name": settings.LIANZHENG["SCHOOL_NAME"],
        "fragment_seconds": getattr(settings, "LIANZHENG_FRAGMENT_CACHE_SECONDS", 24 * 3600),
    }
    if user is not None and user.is_authenticated:
        context["nav_items"] = nav_for(user, request.path)
        context["unread_notifications"] = unread_count(user)
    return context
