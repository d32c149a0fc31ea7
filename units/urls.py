from django.urls import path

from . import campaign_views, roster_views, views

app_name = "units"

urlpatterns = [
    path("", views.unit_list, name="unit-list"),
    path("my-posts/", views.my_posts, name="my-posts"),
    path("campaign/switch/", views.switch_campaign, name="switch-campaign"),
    path("role-changes/", views.role_changes, name="role-changes"),
    path("roster/", roster_views.roster_import, name="roster-import"),
    path("roster/preview/", roster_views.roster_preview, name="roster-preview"),
    path("roster/template.xlsx", roster_views.roster_template, name="roster-template"),
    path("campaigns/", campaign_views.campaign_list, name="campaign-list"),
    path("campaigns/new/", campaign_views.campaign_edit, name="campaign-new"),
    path("campaigns/<int:pk>/edit/", campaign_views.campaign_edit, name="campaign-edit"),
    path("<slug:code>/", views.unit_detail, name="unit-detail"),
]
