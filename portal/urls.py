from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from . import access_views, views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("dashboard/risks/", views.dashboard_risks, name="dashboard-risks"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Imported accounts start without a password: people set one through the e-mail on their roster row.
    path(
        "password/reset/",
        login_not_required(views.ThrottledPasswordResetView.as_view()),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        login_not_required(auth_views.PasswordResetDoneView.as_view()),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        login_not_required(auth_views.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        login_not_required(auth_views.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
    path("password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("access-log/", access_views.access_log, name="access-log"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification-open"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications-read-all"),
    path("units/", include("units.urls")),
    path("risks/", include("risks.urls")),
    path("measures/", include("measures.urls")),
    path("reviews/", include("reviews.urls")),
    path("admin/", admin.site.urls),
]
