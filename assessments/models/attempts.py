"""Attempts: one sitting of an exam, with the questions snapshotted into its items.

The life of an attempt (start → save answers → submit → grade) lives in the model methods below,
which raise ``AttemptError`` on an illegal move. Services in ``assessments.services`` call them.
"""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from lms.exceptions import DomainError
from lms.models import ChangeStamped
from lms.roles import Role, ScopedQuerySet
from lms.validators import limited

from ..answers import needs_manual_grading, score_response
from .exams import Exam
from .questions import Question, QuestionType


class AttemptError(DomainError):
    """An illegal move in an attempt's life; the message is for the candidate."""


class AttemptQuerySet(ScopedQuerySet):
    employee_field = "employee"
    full_access_roles = frozenset({Role.TRAINER, Role.HR})

    def open(self):
        return self.filter(status=Attempt.Status.IN_PROGRESS)

    def finished(self):
        return self.exclude(status=Attempt.Status.IN_PROGRESS)

    def overdue(self, now=None):
        """Open attempts whose deadline has passed."""
        now = now or timezone.now()
        return self.open().filter(deadline__lt=now)


class Attempt(ChangeStamped):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", pgettext_lazy("assessments", "In progress")
        SUBMITTED = "submitted", gettext_lazy("Awaiting grading")
        GRADED = "graded", gettext_lazy("Graded")

    exam = models.ForeignKey(
        Exam, verbose_name=gettext_lazy("exam"), on_delete=models.PROTECT, related_name="attempts"
    )
    employee = models.ForeignKey(
        "lms.Employee",
        verbose_name=gettext_lazy("employee"),
        on_delete=models.PROTECT,
        related_name="exam_attempts",
    )
    number = models.PositiveIntegerField(gettext_lazy("attempt number"), default=1)
    status = models.CharField(
        gettext_lazy("status"), max_length=16, choices=Status.choices, default=Status.IN_PROGRESS
    )
    started_at = models.DateTimeField(pgettext_lazy("assessments", "started at"))
    deadline = models.DateTimeField(pgettext_lazy("assessments", "deadline"), null=True, blank=True)
    finished_at = models.DateTimeField(
        pgettext_lazy("assessments", "finished at"), null=True, blank=True
    )
    auto_submitted = models.BooleanField(gettext_lazy("submitted when time ran out"), default=False)
    score = models.DecimalField(
        pgettext_lazy("assessments", "score"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    max_score = models.DecimalField(
        gettext_lazy("maximum score"), max_digits=8, decimal_places=2, default=0
    )
    percent = models.DecimalField(
        gettext_lazy("score (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    passed = models.BooleanField(pgettext_lazy("assessments", "passed"), null=True, blank=True)
    graded_at = models.DateTimeField(gettext_lazy("graded at"), null=True, blank=True)

    objects = AttemptQuerySet.as_manager()

    # Thousands of attempts point at one exam: they are results, not content references, and
    # indexing them would queue a task on every start and submit of exam day.
    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = gettext_lazy("attempt")
        verbose_name_plural = gettext_lazy("attempts")
        ordering = ["-started_at"]
        constraints = [
            # The heart of exam day: never two open attempts of one exam for one employee.
            models.UniqueConstraint(
                fields=["exam", "employee"],
                condition=Q(status="in_progress"),
                name="attempt_one_open_per_employee",
            ),
            models.UniqueConstraint(
                fields=["exam", "employee", "number"], name="attempt_number_unique"
            ),
        ]
        indexes = [models.Index(fields=["status", "deadline"])]

    def __str__(self):
        return f"{self.exam} · {self.employee} #{self.number}"

    # -- clock -----------------------------------------------------------------------------

    @staticmethod
    def grace() -> timedelta:
        return timedelta(seconds=settings.ASSESSMENTS_SAVE_GRACE_SECONDS)

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.IN_PROGRESS

    @property
    def awaits_grading(self) -> bool:
        """Submitted, with answers a trainer still has to grade (the grading queue's)."""
        return self.status == self.Status.SUBMITTED

    def is_overdue(self, now=None) -> bool:
        now = now or timezone.now()
        return self.is_open and self.deadline is not None and now > self.deadline

    def seconds_left(self, now=None):
        if self.deadline is None:
            return None
        now = now or timezone.now()
        return max(0, int((self.deadline - now).total_seconds()))

    # -- life ------------------------------------------------------------------------------

    def check_can_save(self, now=None):
        now = now or timezone.now()
        if not self.is_open:
            raise AttemptError(_("This attempt has been submitted; answers can no longer change."))
        if self.deadline is not None and now > self.deadline + self.grace():
            raise AttemptError(
                _("Time is up: the exam ended at %(time)s, so this answer was not saved.")
                % {"time": timezone.localtime(self.deadline).strftime("%H:%M:%S")}
            )

    def save_answer(self, item: "AttemptItem", response, seq: int, now=None) -> bool:
        """Store a response if ``seq`` is newer than the stored one; False when it is stale.

        The server owns the order: ``seq`` is one more than the stored sequence number the page
        last read back for this item (never a device clock), so a save made on top of an answer
        that another device has since replaced is stale and is not stored. A retry of a save that
        was stored (same response, sequence already reached) counts as stored.

        Called with this attempt's row locked (the services lock it). ``item`` is one of this
        attempt's items; the sequence number it carries may be older than the stored one, never
        newer, so the UPDATE's own ``seq < new`` condition has the last word; when it refuses,
        ``item`` is read again and then holds what is stored.
        """
        now = now or timezone.now()
        self.check_can_save(now)
        if not isinstance(seq, int) or isinstance(seq, bool) or not 0 <= seq <= SEQ_MAX:
            raise AttemptError(_("The answer carries no valid sequence number."))
        if item.attempt_id != self.pk:
            raise AttemptError(_("That question is not part of this attempt."))
        if seq > item.seq:
            stored = AttemptItem.objects.filter(pk=item.pk, seq__lt=seq).update(
                response=response, seq=seq, saved_at=now
            )
            if stored:
                item.response, item.seq, item.saved_at = response, seq, now
                return True
            item.refresh_from_db(fields=["response", "seq", "saved_at"])
        return item.response == response  # a retry of what is stored, or stale

    def mark_submitted(self, *, now=None, auto=False) -> bool:
        """Close the attempt. Only one caller wins; the others get False.

        Auto-submission (time ran out) records the deadline as the finish time.
        """
        now = now or timezone.now()
        if not self.is_open:
            raise AttemptError(_("This attempt has already been submitted."))
        finished_at = self.deadline if auto and self.deadline else now
        won = Attempt.objects.filter(pk=self.pk, status=self.Status.IN_PROGRESS).update(
            status=self.Status.SUBMITTED,
            finished_at=finished_at,
            auto_submitted=auto,
            updated_at=now,
        )
        if won:
            self.status = self.Status.SUBMITTED
            self.finished_at = finished_at
            self.auto_submitted = auto
        return bool(won)

    def grade(self, items=None, now=None):
        """Score every objective item and total the attempt.

        Items that need a person keep a None score; the attempt stays "awaiting grading"
        until the last of them is graded.
        """
        if self.is_open:
            raise AttemptError(_("An attempt is graded only after it is submitted."))
        items = list(items if items is not None else self.items.all())
        changed = []
        for item in items:
            snap = item.snapshot
            if needs_manual_grading(snap["type"], snap["answer"]):
                if not item.needs_manual:
                    item.needs_manual = True
                    changed.append(item)
                continue
            item.score = score_response(
                snap["type"],
                snap["answer"],
                snap["points"],
                item.response,
                partial_credit=self.exam.partial_credit,
                weights=snap.get("weights") or (),
            )
            item.needs_manual = False
            changed.append(item)
        if changed:
            AttemptItem.objects.bulk_update(changed, ["score", "needs_manual"])
        self.total(items, now=now)

    def total(self, items, now=None):
        pending = any(item.score is None for item in items)
        self.max_score = sum((Decimal(item.snapshot["points"]) for item in items), Decimal(0))
        self.score = sum((item.score or Decimal(0) for item in items), Decimal(0))
        if pending:
            self.status = self.Status.SUBMITTED
            self.passed = None
            self.percent = None
        else:
            self.status = self.Status.GRADED
            self.percent = (
                (self.score * 100 / self.max_score).quantize(Decimal("0.01"))
                if self.max_score
                else Decimal(0)
            )
            self.passed = self.percent >= self.exam.pass_mark
            self.graded_at = now or timezone.now()
        self.save(update_fields=["max_score", "score", "status", "percent", "passed", "graded_at"])

    # -- review ----------------------------------------------------------------------------

    def shows_score(self, now=None) -> bool:
        return self.status == self.Status.GRADED and self.exam.review_allows(score=True, now=now)

    def shows_answers(self, now=None) -> bool:
        return not self.is_open and self.exam.review_allows(score=False, now=now)


# The largest sequence number a BigIntegerField holds on every database.
SEQ_MAX = 2**63 - 1


class AttemptItem(models.Model):
    """One question of an attempt, frozen as it was given, and the candidate's response."""

    attempt = models.ForeignKey(
        Attempt,
        verbose_name=gettext_lazy("attempt"),
        on_delete=models.CASCADE,
        related_name="items",
    )
    position = models.PositiveIntegerField(pgettext_lazy("assessments", "position"))
    question = models.ForeignKey(
        Question,
        verbose_name=gettext_lazy("question"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="attempt_items",
    )
    question_version = models.PositiveIntegerField(gettext_lazy("question version"))
    # type, stem (HTML), options [{"key": "B", "text": …}] in the order shown, answer, points,
    # explanation. The answer never leaves the server while the attempt is open.
    snapshot = models.JSONField(gettext_lazy("question as given"))
    response = models.JSONField(gettext_lazy("response"), null=True, blank=True)
    seq = models.BigIntegerField(gettext_lazy("sequence number"), default=-1)
    saved_at = models.DateTimeField(gettext_lazy("saved at"), null=True, blank=True)
    score = models.DecimalField(
        pgettext_lazy("assessments", "score"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    needs_manual = models.BooleanField(gettext_lazy("graded by hand"), default=False)
    grader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("grader"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    comment = models.TextField(gettext_lazy("grader's comment"), blank=True, **limited(4000))
    graded_at = models.DateTimeField(gettext_lazy("graded at"), null=True, blank=True)

    wagtail_reference_index_ignore = True  # as Attempt: results, not content references

    class Meta:
        verbose_name = gettext_lazy("attempt item")
        verbose_name_plural = gettext_lazy("attempt items")
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "position"], name="attempt_item_position")
        ]

    def __str__(self):
        return f"{self.attempt_id}/{self.position}"

    @property
    def type(self):
        return self.snapshot["type"]

    @property
    def type_label(self):
        return QuestionType(self.snapshot["type"]).label

    @property
    def points(self) -> Decimal:
        return Decimal(self.snapshot["points"])

    def public(self) -> dict:
        """What the candidate may see while the attempt is open: never the answer."""
        snap = self.snapshot
        data = {
            "id": self.pk,
            "position": self.position,
            "type": snap["type"],
            "stem": snap["stem"],
            "options": snap.get("options", []),
            "points": snap["points"],
            "response": self.response,
            "seq": self.seq,
        }
        if snap["type"] == QuestionType.MATCHING:
            given = self.response if isinstance(self.response, list) else []
            data["prompts"] = [
                {"text": prompt, "value": given[i] if i < len(given) else ""}
                for i, prompt in enumerate(snap.get("prompts", []))
            ]
            data["choices"] = snap.get("choices", [])
        if snap["type"] == QuestionType.FILL:
            data["blanks"] = snap.get("blanks", 1)
            given = self.response if isinstance(self.response, list) else []
            data["blank_values"] = [
                given[i] if i < len(given) else "" for i in range(data["blanks"])
            ]
        return data
