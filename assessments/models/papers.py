"""Papers drawn ahead of an exam's opening."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ExamPaper(models.Model):
    """One attempt's questions, drawn and shuffled before the exam opens.

    A background job (``services.papers_fill``) draws a pool of papers for each formal exam
    that opens soon; starting the exam takes one (``services.paper_take``) and deletes it in
    the start's transaction, so a paper is never served twice. ``generation`` is the question
    bank's generation the paper was drawn from (``services.draw_generation``): once the bank
    or the exam's rules change, older papers are never served and the job draws new ones.
    Papers hold no answers and no personal data; they are not results.
    """

    exam = models.ForeignKey(
        "assessments.Exam", on_delete=models.CASCADE, related_name="papers", verbose_name=_("exam")
    )
    generation = models.CharField(_("question bank generation"), max_length=32, db_index=True)
    items = models.JSONField(_("items"))
    drawn_at = models.DateTimeField(_("drawn at"), auto_now_add=True)

    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("drawn paper")
        verbose_name_plural = _("drawn papers")
        indexes = [models.Index(fields=["exam", "generation", "id"])]

    def __str__(self):
        return f"{self.exam_id}#{self.pk}"
