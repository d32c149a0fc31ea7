from django.urls import path

from . import roster_views, views

app_name = "units"

urlpatterns = [
    path("", views.unit_list, name="unit-list"),
    path("my-posts/", views.my_posts, name="my-posts"),
    path("campaign/switch/", views.switch_campaign, name="switch-campaign"),
    path("roster/", roster_views.roster_import, name="roster-import"),
    path("roster/preview/", roster_views.roster_preview, name="roster-preview"),
    path("roster/template.xlsx", roster_views.roster_template, name="roster-template"),
    path("<slug:code>/", views.unit_detail, name="unit-detail"),
]
