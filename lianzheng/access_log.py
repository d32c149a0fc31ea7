"""The access log: who fetched which form or file, when. Reads are recorded here, not in the audit chain: one cheap
insert, no global lock (DESIGN §4 "Reads never write the audit chain")."""

import ipaddress

from django.utils import timezone

from .models import AccessAction, AccessLog
from .ratelimit import client_ip


def _address(request) -> str | None:
    if request is None:
        return None
    try:
        return str(ipaddress.ip_address(client_ip(request)))
    except ValueError:
        return None


def log_access(
    *,
    action: str = AccessAction.DOWNLOAD,
    request=None,
    user=None,
    obj=None,
    object_repr: str | None = None,
    unit_code: str = "",
    fmt: str = "",
    detail: dict | None = None,
) -> AccessLog:
    """Record one read. ``user`` defaults to the request's user; ``obj`` is any model instance (or None)."""
    if user is None and request is not None and request.user.is_authenticated:
        user = request.user
    return AccessLog.objects.create(
        user=user,
        user_name=(getattr(user, "display_name", "") or getattr(user, "username", "")) if user else "",
        at=timezone.now(),
        action=action,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=(object_repr if object_repr is not None else str(obj) if obj is not None else "")[:300],
        unit_code=unit_code,
        format=fmt,
        client_address=_address(request),
        detail=detail or {},
    )
