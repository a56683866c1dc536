from django.urls import path

from . import practice_views, views

app_name = "assessments"

urlpatterns = [
    path("", views.exam_list, name="exam_list"),
    path("<int:pk>/", views.exam_detail, name="exam_detail"),
    path("<int:pk>/start/", views.attempt_start, name="attempt_start"),
    path("<int:pk>/report/", views.exam_report, name="exam_report"),
    path("<int:pk>/report/flag/", views.exam_flag_questions, name="exam_flag_questions"),
    path("<int:pk>/report/regrade/", views.exam_regrade, name="exam_regrade"),
    path(
        "<int:pk>/certificates.zip", views.certificate_bundle_start, name="certificate_bundle_start"
    ),
    path("<int:pk>/export/<str:what>.xlsx", views.exam_export, name="exam_export"),
    path("attempts/<int:pk>/", views.attempt_page, name="attempt_page"),
    path("attempts/<int:pk>/save/", views.attempt_save, name="attempt_save"),
    path("attempts/<int:pk>/state/", views.attempt_state, name="attempt_state"),
    path("attempts/<int:pk>/submit/", views.attempt_submit, name="attempt_submit"),
    path("attempts/<int:pk>/result/", views.attempt_result, name="attempt_result"),
    path("results/", views.result_list, name="result_list"),
    path("qualifications/", views.my_qualifications, name="my_qualifications"),
    path("qualifications/team/", views.team_qualifications, name="team_qualifications"),
    path("grading/", views.grading_queue, name="grading_queue"),
    path("grading/<int:pk>/", views.grade_item, name="grade_item"),
    path("certificates/<str:code>.pdf", views.certificate_pdf, name="certificate_pdf"),
    path("check/<str:code>/", views.certificate_check, name="certificate_check"),
    path("practice/", practice_views.practice_home, name="practice_home"),
    path("practice/daily/", practice_views.practice_daily, name="practice_daily"),
    path("practice/answers/<int:pk>/", practice_views.practice_feedback, name="practice_feedback"),
    path("practice/wrong/", practice_views.wrong_book, name="wrong_book"),
    path("practice/wrong/<int:pk>/", practice_views.wrong_book_item, name="wrong_book_item"),
    path("practice/mock/<int:pk>/", practice_views.mock_start, name="mock_start"),
    path("practice/mastery/", practice_views.team_mastery, name="team_mastery"),
]
