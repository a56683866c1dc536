from django.urls import path

from . import views
from .scorm import views as scorm_views
from .video import views as video_views

app_name = "courses"

urlpatterns = [
    path("lessons/<int:pk>/", views.lesson_detail, name="lesson"),
    path("lessons/<int:pk>/done/", views.lesson_done, name="lesson_done"),
    path(
        "lessons/<int:pk>/videos/<str:block_id>/watched/",
        video_views.report,
        name="video_report",
    ),
    path(
        "lessons/<int:pk>/videos/<str:block_id>/file/",
        video_views.video_file,
        name="video_file",
    ),
    path("sessions/<int:pk>/enrol/", views.session_enrol, name="enrol"),
    path("sessions/<int:pk>/roster/", views.roster, name="roster"),
    path("check-in/", views.check_in, name="check_in"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("plan/", views.training_plan, name="training_plan"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar"),
    path("courses/<int:pk>/report/", views.course_report, name="course_report"),
    path("scorm/<int:pk>/play/", scorm_views.play, name="scorm_play"),
    path("scorm/content/<str:token>/<path:path>", scorm_views.content, name="scorm_content"),
    path("scorm/attempts/<int:pk>/commit/", scorm_views.commit, name="scorm_commit"),
    path("scorm/packages/<int:pk>/report/", scorm_views.report, name="scorm_report"),
]
