"""廉政风险防范管理系统: project package (settings, URLs, Celery) and the cross-cutting app.

The Celery app is imported here so that `shared_task` binds to it whenever Django starts.
"""

from .celery import app as celery_app

__all__ = ("celery_app",)
