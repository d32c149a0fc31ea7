"""Reads kept in the shared cache (Redis in production) under the data version.

Every write through a service appends to the audit chain, and so does every change made in the Django admin (its log
entries are copied into the chain, see ``audit.record_admin_change``): the chain's length is a number that changes
with every write. A value cached under it is never stale after such a write; ``LIANZHENG_DASHBOARD_CACHE_SECONDS``
bounds how long a change made outside both (a bulk load, a shell) can go unseen, and 0 turns these caches off.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.utils.functional import cached_property
from django.utils.translation import get_language

from .models import AuditChainHead


def data_version() -> int:
    """The length of the audit chain (one small query; none while these caches are off)."""
    if not cache_seconds():
        return 0
    return AuditChainHead.objects.filter(pk=1).values_list("count", flat=True).first() or 0


def cache_seconds() -> int:
    return getattr(settings, "LIANZHENG_DASHBOARD_CACHE_SECONDS", 300)


def cached(name: str, compute, *, key_parts, version: int | None = None):
    """``compute()``, or its value cached under ``name``, the key parts, the language and the data version."""
    seconds = cache_seconds()
    if not seconds:
        return compute()
    version = data_version() if version is None else version
    key = ":".join(["lz", name, get_language() or "", *map(str, key_parts), str(version)])
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value


def _query_digest(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    return hashlib.blake2b(repr((sql, params)).encode(), digest_size=16).hexdigest()


def cached_rows(queryset, *, version: int | None = None) -> list:
    """The rows of a small query (choices of a filter, say), cached under its own SQL: its filters and the user's
    scope are in the key."""
    return cached("rows", lambda: list(queryset), key_parts=(_query_digest(queryset),), version=version)


class CachedCountPaginator(Paginator):
    """A paginator whose total is cached under the data version and the query's own SQL (its filters and the
    user's scope are in it): counting a campus's hundred thousand risk points on every page view grew with the
    campus. The rows of the page are always read fresh."""

    def __init__(self, object_list, per_page, *, version: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.version = version

    @cached_property
    def count(self):
        if getattr(self.object_list, "query", None) is None:
            return super().count
        digest = _query_digest(self.object_list)
        return cached("count", lambda: Paginator.count.func(self), key_parts=(digest,), version=self.version)
