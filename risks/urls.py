from django.urls import path

from . import export_views, views

app_name = "risks"

urlpatterns = [
    path("", views.form_list, name="form-list"),
    path("my/", views.my_forms, name="my-forms"),
    path("forms/<int:pk>/", views.form_detail, name="form-detail"),
    path("forms/<int:pk>/points/new/", views.point_new, name="point-new"),
    path("forms/<int:pk>/points/<int:point_pk>/", views.point_row, name="point-row"),
    path("forms/<int:pk>/points/<int:point_pk>/edit/", views.point_edit, name="point-edit"),
    path("forms/<int:pk>/points/<int:point_pk>/delete/", views.point_delete, name="point-delete"),
    path("forms/<int:pk>/submit/", views.form_submit, name="form-submit"),
    path("forms/<int:pk>/confirm/", views.form_confirm, name="form-confirm"),
    path("forms/<int:pk>/return/", views.form_return, name="form-return"),
    path("forms/<int:pk>/approve/", views.form_approve, name="form-approve"),
    path("forms/<int:pk>/reopen/", views.form_reopen, name="form-reopen"),
    path("forms/<int:pk>/versions/<int:revision>/", views.form_snapshot, name="form-snapshot"),
    path("forms/<int:pk>/export/<str:fmt>/", export_views.form_export, name="form-export"),
    path("exports/", export_views.export_jobs, name="export-jobs"),
    path("exports/new/", export_views.export_job_new, name="export-job-new"),
    path("exports/<int:pk>/", export_views.export_job, name="export-job"),
    path("exports/<int:pk>/download/", export_views.export_job_download, name="export-job-download"),
    path(
        "exports/<int:pk>/<str:action>/",
        export_views.export_job_action,
        name="export-job-action",
    ),
    path("points/", views.point_list, name="point-list"),
    path("coverage/", views.coverage, name="coverage"),
    path("units/<slug:code>/power-items/", views.power_items, name="power-items"),
    path("units/<slug:code>/power-items/<int:item_pk>/edit/", views.power_item_edit, name="power-item-edit"),
    path("units/<slug:code>/power-items/<int:item_pk>/delete/", views.power_item_delete, name="power-item-delete"),
]
