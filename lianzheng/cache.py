"""The shared cache, and what happens when Redis is not there.

Redis is needed to run tasks, never to read a page (DESIGN §6). ``DegradingRedisCache`` is Django's Redis cache
with short timeouts whose connection errors become misses (reads) and no-ops (writes): the page then computes what
it needed directly. A warning is logged at most once a minute per process, so a stopped Redis is seen in the logs
without flooding them. This module imports no app (ground floor).
"""

import hashlib
import logging
import subprocess
import time
from pathlib import Path

from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger("lianzheng.cache")

#: Seconds to connect to Redis and to wait for one answer: a dead server costs a request at most this, per call.
CONNECT_TIMEOUT = 0.1
SOCKET_TIMEOUT = 0.2
WARN_EVERY_SECONDS = 60.0

_last_warning = 0.0


def _warn(error: Exception) -> None:
    global _last_warning
    now = time.monotonic()
    if now - _last_warning >= WARN_EVERY_SECONDS:
        _last_warning = now
        logger.warning("Redis cache unreachable, pages compute directly: %s", error)


def _connection_errors() -> tuple:
    import redis.exceptions

    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, ConnectionError, TimeoutError, OSError)


class DegradingRedisCache(RedisCache):
    """``django.core.cache.backends.redis.RedisCache`` that answers a miss when Redis is unreachable."""

    def __init__(self, server, params):
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        options.setdefault("socket_connect_timeout", CONNECT_TIMEOUT)
        options.setdefault("socket_timeout", SOCKET_TIMEOUT)
        options.setdefault("retry_on_timeout", False)
        params["OPTIONS"] = options
        super().__init__(server, params)

    def _guard(self, call, default):
        try:
            return call()
        except _connection_errors() as error:
            _warn(error)
            return default

    def get(self, key, default=None, version=None):
        return self._guard(lambda: super(DegradingRedisCache, self).get(key, default, version), default)

    def get_many(self, keys, version=None):
        return self._guard(lambda: super(DegradingRedisCache, self).get_many(keys, version), {})

    def has_key(self, key, version=None):
        return self._guard(lambda: super(DegradingRedisCache, self).has_key(key, version), False)

    def set(self, key, value, timeout=None, version=None):
        return self._guard(lambda: super(DegradingRedisCache, self).set(key, value, timeout, version), None)

    def add(self, key, value, timeout=None, version=None):
        return self._guard(lambda: super(DegradingRedisCache, self).add(key, value, timeout, version), False)

    def set_many(self, data, timeout=None, version=None):
        return self._guard(lambda: super(DegradingRedisCache, self).set_many(data, timeout, version), list(data))

    def touch(self, key, timeout=None, version=None):
        return self._guard(lambda: super(DegradingRedisCache, self).touch(key, timeout, version), False)

    def delete(self, key, version=None):
        return self._guard(lambda: super(DegradingRedisCache, self).delete(key, version), False)

    def delete_many(self, keys, version=None):
        return self._guard(lambda: super(DegradingRedisCache, self).delete_many(keys, version), None)

    def incr(self, key, delta=1, version=None):
        # A miss, as for an absent key: callers of incr already handle ValueError.
        try:
            return super().incr(key, delta, version)
        except _connection_errors() as error:
            _warn(error)
            raise ValueError(f"Key '{key}' not found (cache unreachable).") from error

    def clear(self):
        return self._guard(lambda: super(DegradingRedisCache, self).clear(), False)


#: Folders whose files make a release (code, templates, catalogues).
RELEASE_FOLDERS = ("lianzheng", "units", "risks", "measures", "reviews", "templates", "locale")


def release_id(base_dir: Path) -> str:
    """What changes with every deploy: the git commit when the code is a checkout, else a digest of the installed
    code and templates (computed once, at start). Keys carry it, so a release never reads its predecessor's entries."""
    try:
        commit = subprocess.run(
            ["git", "-C", str(base_dir), "rev-parse", "--short=12", "HEAD"],
            capture_output=True,
            text=True,
            timeout=2,
            check=True,
        ).stdout.strip()
        if commit and (base_dir / ".git").exists():
            return commit
    except (OSError, subprocess.SubprocessError):
        pass
    digest = hashlib.blake2b(digest_size=8)
    for folder in RELEASE_FOLDERS:
        for path in sorted(p for p in (base_dir / folder).rglob("*") if p.suffix in {".py", ".html", ".mo"}):
            digest.update(str(path.relative_to(base_dir)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()
