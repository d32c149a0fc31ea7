"""The Celery application.

With REDIS_URL set, tasks go to Redis and a worker runs them; without it, settings make every task run
in-process (eager), which is what `make demo` and the SQLite test pass use.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lianzheng.settings")

app = Celery("lianzheng")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
