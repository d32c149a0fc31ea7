from django.urls import path  # noqa: F401

app_name = "reviews"

# The reviewer queue of confirmed risk forms (risk-identification issue) lives in queue_views.py;
# supervision (complaints, warnings, yellow cards, assessments) in views.py.
urlpatterns = []
