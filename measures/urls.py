from django.urls import path

from . import views

app_name = "measures"

urlpatterns = [
    path("unit/<slug:code>/", views.unit_measures, name="unit-measures"),
    path("points/<int:pk>/", views.point_measures, name="point-measures"),
    path("forms/<int:form_pk>/points/<int:pk>/", views.point_measures, name="form-point-measures"),
    path("forms/<int:form_pk>/pledge/", views.pledge, name="pledge"),
    path("items/<int:pk>/edit/", views.measure_edit, name="measure-edit"),
    path("items/<int:pk>/delete/", views.measure_delete, name="measure-delete"),
    path("items/<int:pk>/advance/", views.measure_advance, name="measure-advance"),
    path("items/<int:pk>/evidence/", views.measure_evidence, name="measure-evidence"),
    path("overdue/", views.overdue, name="overdue"),
    path("pledge-text/", views.pledge_text_edit, name="pledge-text"),
    path("rules/", views.rules_list, name="rules-list"),
    path("rules/new/", views.rules_create, name="rules-create"),
    path("rules/<int:pk>/", views.rules_detail, name="rules-detail"),
    path("rules/<int:pk>/edit/", views.rules_edit, name="rules-edit"),
    path("rules/<int:pk>/regenerate/", views.rules_regenerate, name="rules-regenerate"),
    path("rules/<int:pk>/publicise/", views.rules_publicise, name="rules-publicise"),
    path("rules/<int:pk>/withdraw/", views.rules_withdraw, name="rules-withdraw"),
    path("rules/<int:pk>/submit/", views.rules_submit, name="rules-submit"),
    path("rules/<int:pk>/approve/", views.rules_approve, name="rules-approve"),
    path("rules/<int:pk>/return/", views.rules_return, name="rules-return"),
    path("rules/comments/<int:pk>/answer/", views.comment_answer, name="comment-answer"),
    path("public/rules/<int:pk>/", views.rules_public, name="rules-public"),
]
