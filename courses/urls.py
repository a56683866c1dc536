from django.urls import path

from . import views

app_name = "courses"

urlpatterns = [
    path("lessons/<int:pk>/", views.lesson_detail, name="lesson"),
    path("lessons/<int:pk>/done/", views.lesson_done, name="lesson_done"),
    path("sessions/<int:pk>/enrol/", views.session_enrol, name="enrol"),
    path("sessions/<int:pk>/roster/", views.roster, name="roster"),
    path("check-in/", views.check_in, name="check_in"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("plan/", views.training_plan, name="training_plan"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar"),
    path("courses/<int:pk>/report/", views.course_report, name="course_report"),
]
