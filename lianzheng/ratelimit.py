"""Database-backed rate limiting, shared by every app server (nothing held in process memory)."""

from datetime import timedelta

from django.utils import timezone

from .models import RateLimitHit


def client_ip(request) -> str:
    # REMOTE_ADDR is what the reverse proxy connected from; the proxy is trusted to set X-Forwarded-For's last hop.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded:
        return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


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
