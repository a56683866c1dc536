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
        post_save.connect(
            _papers_on_publish, sender=Exam, dispatch_uid="assessments.papers_on_publish"
        )


def _papers_on_publish(sender, instance, **kwargs):
    """A formal exam saved published and opening soon gets its papers drawn in the background
    (``EXAM_PAPERS_ON_PUBLISH``; the scheduled fill catches every other case)."""
    from django.conf import settings

    if not settings.EXAM_PAPERS_ON_PUBLISH or kwargs.get("raw"):
        return
    from .services import exams_due_for_papers, papers_refill_soon

    if instance.is_published and instance.kind == instance.Kind.FORMAL:
        if exams_due_for_papers().filter(pk=instance.pk).exists():
            papers_refill_soon(instance)
