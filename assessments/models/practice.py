"""Practice on the phone (docs/practice.md): each day's 每日一练, every answer given in practice,
and the cards of the 错题本 with their Leitner box.

Rows here hold an employee's practice history: they point at employees and questions with
PROTECT, and at no exam, so deleting an exam never takes a wrong-answer book with it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lms.roles import Role, ScopedQuerySet

from .questions import Question, QuestionType

# The types practice asks one by one and marks at once (the others need a person or a richer
# page than a phone's: essays, short answers, matching, descriptions).
PRACTICE_TYPES = (
    QuestionType.SINGLE,
    QuestionType.MULTIPLE,
    QuestionType.TRUE_FALSE,
    QuestionType.FILL,
    QuestionType.NUMERICAL,
)


class PracticeSource(models.TextChoices):
    DAILY = "daily", _("Daily practice")
    WRONG_BOOK = "wrong_book", _("Wrong-answer book")
    QUIZ = "quiz", _("Practice quiz")
    MOCK = "mock", _("Mock exam")
    EXAM = "exam", _("Formal exam")


class PracticeQuerySet(ScopedQuerySet):
    """An employee sees their own rows, a manager their department subtree's, trainers and HR
    everyone's."""

    employee_field = "employee"
    full_access_roles = frozenset({Role.TRAINER, Role.HR})


class DailyPractice(models.Model):
    """The questions of one employee's 每日一练 on one day, drawn once and kept all day."""

    employee = models.ForeignKey(
        "lms.Employee",
        verbose_name=_("employee"),
        on_delete=models.PROTECT,
        related_name="daily_practices",
    )
    day = models.DateField(_("day"))
    question_ids = models.JSONField(_("questions"), default=list)
    created_at = models.DateTimeField(pgettext_lazy("assessments", "created at"), auto_now_add=True)

    objects = PracticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("daily practice")
        verbose_name_plural = _("daily practices")
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["employee", "day"], name="daily_practice_once_a_day")
        ]

    def __str__(self):
        return f"{self.employee_id} {self.day}"


class PracticeAnswer(models.Model):
    """One answer to one question: given in practice (daily, wrong-answer book) or read from a
    finished attempt whose review shows the answers (practice quiz, mock, formal exam)."""

    employee = models.ForeignKey(
        "lms.Employee",
        verbose_name=_("employee"),
        on_delete=models.PROTECT,
        related_name="practice_answers",
    )
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="+"
    )
    question_version = models.PositiveIntegerField(_("question version"))
    source = models.CharField(_("source"), max_length=16, choices=PracticeSource.choices)
    day = models.DateField(_("day"))
    attempt = models.ForeignKey(
        "assessments.Attempt",
        verbose_name=_("attempt"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    response = models.JSONField(_("response"), null=True, blank=True)
    correct = models.BooleanField(_("correct"))
    answered_at = models.DateTimeField(_("answered at"))

    objects = PracticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("practice answer")
        verbose_name_plural = _("practice answers")
        ordering = ["-answered_at", "-pk"]
        indexes = [
            models.Index(fields=["employee", "day"]),
            models.Index(fields=["employee", "question"]),
        ]

    def __str__(self):
        return f"{self.employee_id}/{self.question_id} {'✓' if self.correct else '✗'}"


class PracticeCardQuerySet(PracticeQuerySet):
    def in_book(self):
        """The 错题本: cards not yet answered right enough times in a row."""
        return self.filter(retired_at__isnull=True)

    def due(self, today):
        """Cards whose Leitner box asks for a review on or before ``today``."""
        return self.filter(due_on__lte=today)

    def practisable(self):
        return self.filter(question__is_active=True, question__type__in=PRACTICE_TYPES)


class PracticeCard(models.Model):
    """A question the employee got wrong: its place in the 错题本 and its Leitner box.

    Wrong → box 1, due after the first interval, streak 0, back in the book. Right → the streak
    grows (``PRACTICE_RETIRE_STREAK`` in a row retires it from the book) and, when the card was
    due, it moves up a box and is due after that box's interval; right in the last box, it
    leaves the schedule (``due_on`` empty).
    """

    employee = models.ForeignKey(
        "lms.Employee",
        verbose_name=_("employee"),
        on_delete=models.PROTECT,
        related_name="practice_cards",
    )
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="+"
    )
    box = models.PositiveSmallIntegerField(_("Leitner box"), default=1)
    due_on = models.DateField(_("due for review on"), null=True, blank=True)
    streak = models.PositiveIntegerField(_("right in a row"), default=0)
    wrong_count = models.PositiveIntegerField(_("times wrong"), default=0)
    right_count = models.PositiveIntegerField(_("times right"), default=0)
    source = models.CharField(
        _("first got wrong in"), max_length=16, choices=PracticeSource.choices
    )
    wrong_version = models.PositiveIntegerField(_("version last got wrong"))
    last_wrong_at = models.DateTimeField(_("last wrong at"))
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PracticeCardQuerySet.as_manager()

    class Meta:
        verbose_name = _("wrong-answer card")
        verbose_name_plural = _("wrong-answer cards")
        ordering = ["due_on", "-last_wrong_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "question"], name="practice_card_one_per_question"
            ),
            models.CheckConstraint(condition=Q(box__gte=1), name="practice_card_box_from_one"),
        ]
        indexes = [models.Index(fields=["employee", "retired_at"])]

    def __str__(self):
        return f"{self.employee_id}/{self.question_id} box {self.box}"

    @property
    def in_book(self) -> bool:
        return self.retired_at is None

    @staticmethod
    def intervals() -> list[int]:
        return list(settings.PRACTICE_LEITNER_DAYS)

    def record_wrong(self, *, now, today, version):
        """Leitner: a wrong answer sends the card back to box 1."""
        from datetime import timedelta

        self.box = 1
        self.due_on = today + timedelta(days=self.intervals()[0])
        self.streak = 0
        self.wrong_count += 1
        self.wrong_version = version
        self.last_wrong_at = now
        self.retired_at = None

    def record_right(self, *, now, today):
        """Leitner: a right answer to a due card moves it up a box (out of the schedule from
        the last box); any right answer lengthens the streak that retires it from the book."""
        from datetime import timedelta

        intervals = self.intervals()
        self.right_count += 1
        self.streak += 1
        if self.due_on is not None and self.due_on <= today:
            if self.box >= len(intervals):
                self.due_on = None
            else:
                self.box += 1
                self.due_on = today + timedelta(days=intervals[self.box - 1])
        if self.retired_at is None and self.streak >= settings.PRACTICE_RETIRE_STREAK:
            self.retired_at = now

    @property
    def changed_since_wrong(self) -> bool:
        """The question was edited after it was last got wrong (its current version is asked)."""
        return self.question.version != self.wrong_version


class PracticeHarvest(models.Model):
    """A finished attempt whose answers have been read into practice (once its review showed
    them): its wrong answers are in the 错题本 and all its answers count toward mastery."""

    attempt = models.OneToOneField(
        "assessments.Attempt",
        verbose_name=_("attempt"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    harvested_at = models.DateTimeField(_("read at"))

    class Meta:
        verbose_name = _("attempt read into practice")
        verbose_name_plural = _("attempts read into practice")

    def __str__(self):
        return str(self.attempt_id)
