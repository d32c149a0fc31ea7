from django.urls import path

from . import queue_views

app_name = "reviews"

# The reviewer queue of confirmed risk forms (risk-identification issue) lives in queue_views.py;
# supervision (complaints, warnings, yellow cards, assessments) in views.py.
urlpatterns = []

# --- Reviewer queue of confirmed risk forms (queue_views.py) ---
urlpatterns += [
    path("queue/", queue_views.queue, name="queue"),
    path("queue/<slug:code>/approve-all/", queue_views.approve_unit, name="queue-approve-unit"),
]
