"""Database-backed rate limiting, shared by every app server (nothing held in process memory)."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from .models import RateLimitHit


def client_ip(request) -> str:
    """The client's address, for per-address limits and the access log.

    ``X-Forwarded-For`` is believed only as far as ``LIANZHENG_TRUSTED_PROXIES`` (how many reverse proxies stand in
    front of the app, each appending the address it was connected from) says: with none (the default) it is
    ignored, so a client cannot reset its limits by sending the header; with n, the n-th entry from the right is the
    client (entries further left were written by the client and prove nothing)."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.LIANZHENG_TRUSTED_PROXIES
    if proxies <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if not hops:
        return remote
    return hops[-proxies] if len(hops) >= proxies else hops[0]


def hits(key: str, *, window_seconds: int) -> int:
    since = timezone.now() - timedelta(seconds=window_seconds)
    return RateLimitHit.objects.filter(key=key, at__gte=since).count()


def hit(key: str) -> None:
    RateLimitHit.objects.create(key=key, at=timezone.now())


def is_limited(key: str, *, limit: int, window_seconds: int) -> bool:
    return hits(key, window_seconds=window_seconds) >= limit


def clear(key: str) -> None:
    RateLimitHit.objects.filter(key=key).delete()


def purge_older_than(seconds: int) -> int:
    deleted, _ = RateLimitHit.objects.filter(at__lt=timezone.now() - timedelta(seconds=seconds)).delete()
    return deleted
