from django.urls import path

from . import views

app_name = "drills"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("plans/", views.plan_library, name="plan_library"),
    path("<int:pk>/", views.drill_detail, name="drill"),
    path(
        "<int:pk>/do/<slug:op>/",
        views.drill_transition,
        name="transition",
    ),
    path("<int:pk>/findings/add/", views.finding_add, name="finding_add"),
    path("<int:pk>/sheets/assign/", views.sheet_assign, name="sheet_assign"),
    path("<int:pk>/actions/add/", views.action_add, name="action_add"),
    path("<int:pk>/report/", views.report, name="report"),
    path("<int:pk>/report.pdf", views.report_pdf, name="report_pdf"),
    path("sheets/<int:pk>/", views.sheet_view, name="sheet"),
    path("sheets/<int:pk>/results/<int:result_pk>/", views.result_save, name="result_save"),
    path(
        "sheets/<int:pk>/results/<int:result_pk>/photo/",
        views.result_photo,
        name="result_photo",
    ),
    path("sheets/<int:pk>/submit/", views.sheet_submit, name="sheet_submit"),
    path("sheets/<int:pk>/reopen/", views.sheet_reopen, name="sheet_reopen"),
    path("participations/<int:pk>/", views.participation, name="participation"),
    path("actions/<int:pk>/", views.action_detail, name="action"),
]
