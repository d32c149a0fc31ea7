from django.urls import path

from . import views

app_name = "units"

urlpatterns = [
    path("", views.unit_list, name="unit-list"),
    path("my-posts/", views.my_posts, name="my-posts"),
    path("campaign/switch/", views.switch_campaign, name="switch-campaign"),
    path("<slug:code>/", views.unit_detail, name="unit-detail"),
]
