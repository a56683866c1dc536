from django.urls import path

from . import views

app_name = "careers"

urlpatterns = [
    path("appraisal/<int:pk>/", views.result_detail, name="result"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("rotations/<int:pk>/", views.rotation_detail, name="rotation"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/<slug:name>.xlsx", views.dashboard_export, name="dashboard_export"),
    path("archive/", views.archive_index, name="archive_index"),
    path("archive/<int:pk>/", views.archive_detail, name="archive"),
    path("archive/<int:pk>/pdf/", views.archive_pdf_download, name="archive_pdf"),
    path("runs/<int:session_id>/pdf/", views.training_run_pdf, name="training_run_pdf"),
    path("archive/zip/", views.archive_zip_request, name="archive_zip"),
]
