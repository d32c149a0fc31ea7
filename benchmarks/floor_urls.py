"""The benchmark's URLconf: the site's own (``portal.urls``) plus a floor view, only while the benchmark runs.

The floor renders ``base.html`` — the same frame (top bar, campaign switch, navigation, bell) through the same
context processors — with an empty content block and no queries of its own: the least any page of the site costs.
"""

from django.shortcuts import render
from django.urls import include, path


def floor(request):
    return render(request, "base.html", {})


urlpatterns = [
    path("__bench_floor__/", floor, name="bench-floor"),
    path("", include("portal.urls")),
]
