"""Every write for SCORM: uploading a package, launching an attempt, storing a commit.

A commit is the hot path (every learner's player sends one every ``SCORM_AUTOCOMMIT_SECONDS``
and on every explicit Commit): it locks the attempt row, refuses a stale sequence number,
upserts the committed CMI values in one statement and updates the attempt's summary. Only the
first commit that makes a SCO done reaches further: the lesson is finished once every SCO of
its packages is done, which records the course completion (and so certificates) through
``courses.services.lesson_complete``.
"""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from lms.models import Employee

from ..models import Lesson
from .models import ScormAttempt, ScormElement, ScormPackage, ScormSco, ScormValue, ScormVersion
from .packages import read_package, remove_files, store_package


class CommitRefused(ValidationError):
    """A commit that is not stored; ``status`` is the HTTP status the endpoint answers with."""

    def __init__(self, message, *, status=400, code="refused"):
        super().__init__(message, code=code)
        self.status = status


# Packages --------------------------------------------------------------------------------------


def package_upload(
    *, upload, title: str = "", lesson: Lesson | None = None, acting_user=None
) -> ScormPackage:
    """Check, unpack and record an uploaded package with its SCOs.

    Nothing is stored when the package is refused (``UploadRefused`` names the file and the
    reason); files already unpacked are removed again if the database write fails.
    """
    manifest, members = read_package(upload, name=upload.name)
    folder, total = store_package(upload, members)
    try:
        with transaction.atomic():
            package = ScormPackage(
                title=(title or manifest.title or upload.name)[:200],
                lesson=lesson,
                version=manifest.version,
                schema_version=manifest.schema_version,
                identifier=manifest.identifier,
                folder=folder,
                file_count=len(members),
                unpacked_bytes=total,
                uploaded_by=acting_user,
            )
            package.full_clean()
            package.save()
            ScormSco.objects.bulk_create(
                ScormSco(
                    package=package,
                    organisation=sco.organisation,
                    organisation_title=sco.organisation_title,
                    identifier=sco.identifier,
                    title=sco.title,
                    href=sco.href,
                    mastery_score=sco.mastery_score,
                    scaled_passing_score=sco.scaled_passing_score,
                    sort_order=index,
                )
                for index, sco in enumerate(manifest.scos)
            )
            log(package, "wagtail.create", user=acting_user)
    except BaseException:
        remove_files(f"{folder}/{member.filename}" for member in members)
        raise
    return package


@transaction.atomic
def package_update(*, package: ScormPackage, title: str, lesson: Lesson | None, acting_user=None):
    package.title = title
    package.lesson = lesson
    package.full_clean()
    package.save(update_fields=["title", "lesson"])
    log(package, "wagtail.edit", user=acting_user)
    return package


# Attempts --------------------------------------------------------------------------------------


@transaction.atomic
def attempt_launch(*, employee: Employee, sco: ScormSco) -> ScormAttempt:
    """The attempt a player opens: the learner's latest one, its last session's time folded
    into the total (a launch starts a new session)."""
    attempt = (
        ScormAttempt.objects.select_for_update()
        .filter(employee=employee, sco=sco)
        .order_by("-number")
        .first()
    )
    now = timezone.now()
    if attempt is None:
        return ScormAttempt.objects.create(
            employee=employee, sco=sco, started_at=now, updated_at=now
        )
    if attempt.session_seconds:
        attempt.earlier_seconds += attempt.session_seconds
        attempt.session_seconds = 0
        attempt.save(update_fields=["earlier_seconds", "session_seconds"])
    return attempt


def attempt_values(attempt: ScormAttempt) -> dict[str, str]:
    """Every CMI value the attempt has stored, by element name."""
    return dict(ScormValue.objects.filter(attempt=attempt).values_list("element__name", "value"))


# Per session, not stored back as data: the runtime sets them afresh on every launch.
SESSION_ONLY = {
    "cmi.core.entry", "cmi.core.exit", "cmi.core.session_time", "cmi.core.total_time",
    "cmi.core.student_id", "cmi.core.student_name", "cmi.core.credit", "cmi.core.lesson_mode",
    "cmi.student_data.mastery_score", "cmi.launch_data",
    "cmi.entry", "cmi.exit", "cmi.session_time", "cmi.total_time", "cmi.learner_id",
    "cmi.learner_name", "cmi.credit", "cmi.mode", "cmi.scaled_passing_score",
}  # fmt: skip


def launch_data(attempt: ScormAttempt, values: dict[str, str] | None = None) -> dict[str, str]:
    """The flattened CMI the runtime starts from: stored data plus who, where and how."""
    if values is None:
        values = attempt_values(attempt)
    employee = attempt.employee
    sco = attempt.sco
    data = {key: value for key, value in values.items() if key not in SESSION_ONLY}
    if sco.package.version == ScormVersion.SCORM_12:
        suspended = values.get("cmi.core.exit") == "suspend"
        data.update(
            {
                "cmi.core.student_id": employee.number,
                "cmi.core.student_name": employee.name,
                "cmi.core.entry": "resume" if suspended else "ab-initio",
                "cmi.core.total_time": format_scorm12_time(attempt.total_seconds),
            }
        )
        if sco.mastery_score is not None:
            data["cmi.student_data.mastery_score"] = f"{sco.mastery_score.normalize():f}"
        data.setdefault("cmi.core.lesson_status", "not attempted")
    else:
        suspended = values.get("cmi.exit") == "suspend"
        data.update(
            {
                "cmi.learner_id": employee.number,
                "cmi.learner_name": employee.name,
                "cmi.entry": "resume" if suspended else "ab-initio",
                "cmi.total_time": format_iso_duration(attempt.total_seconds),
            }
        )
        if sco.scaled_passing_score is not None:
            data["cmi.scaled_passing_score"] = f"{sco.scaled_passing_score.normalize():f}"
    return data


_ELEMENT = re.compile(r"^(cmi|adl)\.[A-Za-z0-9_.]{1,240}$")
_ELEMENT_IDS: dict[str, int] = {}


def _element_ids(names) -> dict[str, int]:
    """Element ids by name. Names never change and element rows are never deleted, so the
    process remembers the ids it has seen committed (never those of a transaction that may
    still roll back)."""
    known = {name: _ELEMENT_IDS[name] for name in names if name in _ELEMENT_IDS}
    missing = [name for name in names if name not in known]
    if missing:
        found = dict(ScormElement.objects.filter(name__in=missing).values_list("name", "pk"))
        new = [name for name in missing if name not in found]
        if new:
            ScormElement.objects.bulk_create(
                [ScormElement(name=name) for name in new], ignore_conflicts=True
            )
            found.update(ScormElement.objects.filter(name__in=new).values_list("name", "pk"))
        transaction.on_commit(lambda: _ELEMENT_IDS.update(found))
        known.update(found)
    return known


def clean_commit(cmi) -> dict[str, str]:
    """The committed values as text, or ``CommitRefused`` naming the first bad one."""
    if not isinstance(cmi, dict):
        raise CommitRefused(_("The commit carries no CMI data."))
    if len(cmi) > settings.SCORM_COMMIT_MAX_ELEMENTS:
        raise CommitRefused(
            _("The commit carries %(count)s elements; at most %(limit)s are accepted.")
            % {"count": len(cmi), "limit": settings.SCORM_COMMIT_MAX_ELEMENTS}
        )
    clean = {}
    for name, value in cmi.items():
        if not isinstance(name, str) or not _ELEMENT.match(name):
            raise CommitRefused(
                _("“%(element)s” is not a CMI element.") % {"element": str(name)[:80]}
            )
        if value == {} or value == []:
            continue  # an empty collection (no objectives yet) as the flattened format sends it
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise CommitRefused(
                _("The value of %(element)s is not text or a number.") % {"element": name}
            )
        text = value if isinstance(value, str) else str(value)
        limit = (
            settings.SCORM_SUSPEND_DATA_MAX
            if name in ("cmi.suspend_data", "cmi.core.suspend_data")
            else settings.SCORM_VALUE_MAX
        )
        if len(text) > limit:
            raise CommitRefused(
                _("The value of %(element)s is %(length)s characters long; at most %(limit)s.")
                % {"element": name, "length": len(text), "limit": limit}
            )
        if "\x00" in text:
            raise CommitRefused(
                _("The value of %(element)s contains a NUL character.") % {"element": name}
            )
        clean[name] = text
    return clean


_SCORM12_TIME = re.compile(r"^(\d{1,4}):([0-5]?\d):([0-5]?\d(?:\.\d{1,2})?)$")
_ISO_DURATION = re.compile(
    r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$"
)
# Longer than any study session can be: a value past it is a broken clock, not study.
MAX_SESSION_SECONDS = 24 * 3600


def parse_duration(text: str) -> int:
    """Seconds in a SCORM 1.2 CMITimespan (``HHHH:MM:SS.SS``) or a SCORM 2004 ISO 8601
    duration (``PT1H2M3.5S``); 0 when the text is neither."""
    text = (text or "").strip()
    match = _SCORM12_TIME.match(text)
    if match:
        seconds = int(match[1]) * 3600 + int(match[2]) * 60 + float(match[3])
    else:
        match = _ISO_DURATION.match(text)
        if not match or text in ("P", "PT") or text.endswith("T"):
            return 0
        years, months, days, hours, minutes, secs = (float(g) if g else 0 for g in match.groups())
        seconds = ((years * 365 + months * 30 + days) * 24 + hours) * 3600 + minutes * 60 + secs
    return int(min(seconds, MAX_SESSION_SECONDS))


def format_scorm12_time(seconds: int) -> str:
    return f"{seconds // 3600:04d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def format_iso_duration(seconds: int) -> str:
    return f"PT{seconds // 3600}H{seconds % 3600 // 60}M{seconds % 60}S"


def _decimal(text, *, low=None, high=None):
    try:
        value = Decimal(text) if text not in (None, "") else None
    except (InvalidOperation, TypeError):
        return None
    if value is None or not value.is_finite() or abs(value) >= Decimal("1e8"):
        return None
    if (low is not None and value < low) or (high is not None and value > high):
        return None
    return value.quantize(Decimal("0.0001"))


def _summarise(attempt: ScormAttempt, values: dict[str, str]):
    """Set the attempt's summary from the values the SCO committed."""
    sco = attempt.sco
    if sco.package.version == ScormVersion.SCORM_12:
        status = values.get("cmi.core.lesson_status")
        prefix = "cmi.core.score."
        session = values.get("cmi.core.session_time")
        location = values.get("cmi.core.lesson_location")
        if status:
            if status in ("passed", "failed"):
                attempt.completion_status = ScormAttempt.Completion.COMPLETED
                attempt.success_status = status
            elif status == "completed":
                attempt.completion_status = ScormAttempt.Completion.COMPLETED
            elif status in ("incomplete", "browsed"):
                attempt.completion_status = ScormAttempt.Completion.INCOMPLETE
    else:
        prefix = "cmi.score."
        session = values.get("cmi.session_time")
        location = values.get("cmi.location")
        completion = values.get("cmi.completion_status")
        success = values.get("cmi.success_status")
        if completion in ScormAttempt.Completion.values:
            attempt.completion_status = completion
        if success in ScormAttempt.Success.values:
            attempt.success_status = success
    for part in ("raw", "min", "max"):
        if prefix + part in values:
            setattr(attempt, f"score_{part}", _decimal(values[prefix + part]))
    if prefix + "scaled" in values:
        attempt.score_scaled = _decimal(values[prefix + "scaled"], low=-1, high=1)
    elif attempt.score_raw is not None and attempt.score_max:
        low = attempt.score_min or Decimal(0)
        if attempt.score_max > low:
            attempt.score_scaled = _decimal((attempt.score_raw - low) / (attempt.score_max - low))
    if (
        sco.package.version == ScormVersion.SCORM_12
        and sco.mastery_score is not None
        and attempt.score_raw is not None
        and attempt.completion_status == ScormAttempt.Completion.COMPLETED
    ):
        # SCORM 1.2 leaves it to the LMS to judge a raw score against the manifest's mastery.
        attempt.success_status = (
            ScormAttempt.Success.PASSED
            if attempt.score_raw >= sco.mastery_score
            else ScormAttempt.Success.FAILED
        )
    if session is not None:
        attempt.session_seconds = parse_duration(session)
    if location is not None:
        attempt.location = location[:1000]


def attempt_counts_as_done(attempt: ScormAttempt) -> bool:
    return (
        attempt.completion_status == ScormAttempt.Completion.COMPLETED
        and attempt.success_status != ScormAttempt.Success.FAILED
    )


@transaction.atomic
def attempt_commit(*, attempt_id: int, employee: Employee, seq, cmi) -> ScormAttempt:
    """Store one commit from the player.

    The attempt row is locked first: two commits of the same attempt (a retry racing a newer
    commit, two open tabs) are serialised, and the one whose ``seq`` is not above the stored
    one is refused as stale, so an older state never overwrites a newer one.
    """
    if isinstance(seq, bool) or not isinstance(seq, int) or not 0 < seq < 2**62:
        raise CommitRefused(_("The commit has no valid sequence number."))
    values = clean_commit(cmi)
    attempt = (
        ScormAttempt.objects.select_for_update(of=("self",))
        .select_related("sco__package")
        .filter(pk=attempt_id, employee=employee)
        .first()
    )
    if attempt is None:
        raise CommitRefused(_("There is no such attempt of yours."), status=404, code="missing")
    if seq <= attempt.seq:
        raise CommitRefused(
            _("This commit (%(seq)s) is older than one already stored (%(stored)s).")
            % {"seq": seq, "stored": attempt.seq},
            status=409,
            code="stale",
        )
    now = timezone.now()
    ids = _element_ids(list(values))
    if values:
        _values_upsert(attempt.pk, [(ids[name], value) for name, value in values.items()], now)
    was_done = attempt.is_done
    attempt.seq = seq
    attempt.updated_at = now
    _summarise(attempt, values)
    if not was_done and attempt_counts_as_done(attempt):
        attempt.completed_at = now
    attempt.save()
    if attempt.is_done and not was_done:
        _lesson_check(employee=employee, attempt=attempt)
    return attempt


_UPSERT_BATCH = 200


def _values_upsert(attempt_id: int, rows: list[tuple[int, str]], now):
    """Insert or update the attempt's values in one statement per batch, writing only the rows
    whose value changed: a full commit repeats every element, most of them unchanged, and an
    unchanged row rewritten is a dead tuple and an index entry for nothing."""
    table = connection.ops.quote_name(ScormValue._meta.db_table)
    stamp = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), _UPSERT_BATCH):
            batch = rows[start : start + _UPSERT_BATCH]
            params = []
            for element_id, value in batch:
                params += [attempt_id, element_id, value, stamp]
            cursor.execute(
                f"INSERT INTO {table} (attempt_id, element_id, value, updated_at) VALUES "
                + ", ".join(["(%s, %s, %s, %s)"] * len(batch))
                + " ON CONFLICT (attempt_id, element_id) DO UPDATE SET value = EXCLUDED.value,"
                f" updated_at = EXCLUDED.updated_at WHERE {table}.value <> EXCLUDED.value",
                params,
            )


def lesson_scos_done(*, employee: Employee, lesson: Lesson) -> bool:
    """Whether every SCO of the lesson's packages is done by the employee (True when the
    lesson has no package)."""
    sco_ids = set(ScormSco.objects.filter(package__lesson=lesson).values_list("pk", flat=True))
    if not sco_ids:
        return True
    done = set(
        ScormAttempt.objects.filter(
            employee=employee, sco_id__in=sco_ids, completed_at__isnull=False
        ).values_list("sco_id", flat=True)
    )
    return sco_ids <= done


def _lesson_check(*, employee: Employee, attempt: ScormAttempt):
    from .. import services as course_services

    lesson = attempt.sco.package.lesson
    if lesson is not None:
        course_services.lesson_complete_when_tracked_done(employee=employee, lesson=lesson)


def study_hours(total_seconds: int, minutes: int) -> Decimal:
    """SCORM time as training hours, capped by the lesson's nominal study time."""
    seconds = min(total_seconds, minutes * 60)
    return (Decimal(seconds) / 3600).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def lesson_study(employee: Employee, *, year: int | None = None):
    """(lesson, course, seconds, last day) per lesson the employee studied in SCORM packages."""
    attempts = ScormAttempt.objects.filter(
        employee=employee, sco__package__lesson__isnull=False
    ).select_related("sco__package__lesson__course")
    if year is not None:
        attempts = attempts.filter(updated_at__year=year)
    lessons = {}
    for attempt in attempts:
        lesson = attempt.sco.package.lesson
        day = timezone.localtime(attempt.updated_at).date()
        _lesson, seconds, last = lessons.get(lesson.pk, (lesson, 0, day))
        lessons[lesson.pk] = (lesson, seconds + attempt.total_seconds, max(day, last))
    return list(lessons.values())
