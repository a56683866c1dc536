from django.urls import path

from . import views

app_name = "careers"

urlpatterns = [
    path("appraisal/<int:pk>/", views.result_detail, name="result"),
]
