from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = _("Exams")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from .models import AssemblyRule, Exam, ExamQuestion, Question, QuestionCategory
        from .services import draw_plan_forget

        # A cached draw plan (assessments.services.draw_plan) is read again after any of these.
        for model in (Question, QuestionCategory, Exam, ExamQuestion, AssemblyRule):
            for signal in (post_save, post_delete):
                signal.connect(
                    draw_plan_forget,
                    sender=model,
                    dispatch_uid=f"assessments.draw_plan_forget.{model.__name__}.{signal}",
                )
