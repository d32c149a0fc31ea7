"""Where to go after a POST (ground floor: imports no app).

A ``next`` parameter is followed only when it is a path on this site: it begins with one ``/`` (so ``redirect``
never mistakes it for a view name, as ``next=0`` was, and never leaves the site, as ``//evil.example`` would) and
passes Django's host and scheme check. Anything else falls back to the page the action belongs to.
"""

from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, fallback: str) -> str:
    target = (request.POST.get("next") or request.GET.get("next") or "").strip()
    if (
        target.startswith("/")
        and not target.startswith("//")
        and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False)
    ):
        return target
    return fallback
