"""Exam results: the result per employee by grading method, the trainer's report with item
statistics (facility, discrimination), flagging poor questions, and XLSX exports."""

import math
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.http import content_disposition_header
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from lms.importing import XLSX_CONTENT_TYPE
from lms.spreadsheets import xlsx_bytes

from .models import Attempt, AttemptItem, Exam, Question, QuestionType


def render_response(snapshot: dict, response) -> str:
    """A response as a person reads it (letters, 对/错, blanks separated by |, text)."""
    if response in (None, "", []):
        return ""
    kind = snapshot["type"]
    if kind in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        return "".join(response if isinstance(response, list) else [response])
    if kind == QuestionType.TRUE_FALSE:
        return "对" if response is True else "错"
    if kind in (QuestionType.FILL, QuestionType.MATCHING):
        return "|".join(str(v) for v in (response if isinstance(response, list) else [response]))
    return str(response)


def result_of(exam: Exam, attempts: list[Attempt]) -> Attempt | Decimal | None:
    """The employee's result by the exam's grading method, from their graded attempts."""
    graded = sorted(
        (a for a in attempts if a.status == Attempt.Status.GRADED), key=lambda a: a.number
    )
    if not graded:
        return None
    method = exam.grading_method
    if method == Exam.GradingMethod.FIRST:
        return graded[0].percent
    if method == Exam.GradingMethod.LAST:
        return graded[-1].percent
    if method == Exam.GradingMethod.AVERAGE:
        return (sum(a.percent for a in graded) / len(graded)).quantize(Decimal("0.01"))
    return max(a.percent for a in graded)


def _mean(values):
    return sum(values) / len(values) if values else None


def _std(values):
    if len(values) < 2:
        return 0.0 if values else None
    mean = _mean(values)
    return math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))


def exam_report(exam: Exam) -> dict:
    """Everything the trainer's report shows, in a fixed number of queries."""
    attempts = list(
        Attempt.objects.filter(exam=exam, status=Attempt.Status.GRADED)
        .select_related("employee__department")
        .order_by("pk")
    )
    percents = [float(a.percent) for a in attempts]
    count = len(attempts)
    passed = sum(1 for a in attempts if a.passed)
    # Score distribution in ten bands of 10 %.
    bands = [0] * 10
    for value in percents:
        bands[min(int(value // 10), 9)] += 1
    peak = max(bands) or 1
    distribution = [
        {"label": f"{i * 10}–{i * 10 + 10}", "count": n, "width": round(100 * n / peak)}
        for i, n in enumerate(bands)
    ]
    departments = defaultdict(lambda: [0, 0])
    for attempt in attempts:
        name = attempt.employee.department.name if attempt.employee.department_id else "—"
        departments[name][0] += 1
        departments[name][1] += 1 if attempt.passed else 0
    by_department = [
        {"name": name, "count": total, "passed": ok, "rate": round(100 * ok / total, 1)}
        for name, (total, ok) in sorted(departments.items())
    ]

    # Item statistics: facility (mean share of points) and discrimination (upper 27 % minus
    # lower 27 % of candidates by total score).
    ranked = sorted(attempts, key=lambda a: a.percent)
    group = max(1, round(count * 0.27)) if count else 0
    lower = {a.pk for a in ranked[:group]}
    upper = {a.pk for a in ranked[-group:]} if group else set()
    rows = AttemptItem.objects.filter(attempt__in=[a.pk for a in attempts]).values_list(
        "attempt_id", "question_id", "score", "snapshot__points"
    )
    per_question = defaultdict(lambda: {"all": [], "upper": [], "lower": []})
    for attempt_id, question_id, score, points in rows:
        if question_id is None or score is None or not Decimal(points):
            continue
        share = float(score) / float(points)
        data = per_question[question_id]
        data["all"].append(share)
        if attempt_id in upper:
            data["upper"].append(share)
        if attempt_id in lower:
            data["lower"].append(share)
    questions = Question.objects.only("id", "stem", "type", "flagged").in_bulk(list(per_question))
    threshold = settings.ASSESSMENTS_DISCRIMINATION_THRESHOLD
    minimum = settings.ASSESSMENTS_MIN_ATTEMPTS_FOR_FLAG
    items = []
    for question_id, data in per_question.items():
        question = questions.get(question_id)
        facility = _mean(data["all"])
        upper_mean, lower_mean = _mean(data["upper"]), _mean(data["lower"])
        discrimination = (
            upper_mean - lower_mean if upper_mean is not None and lower_mean is not None else None
        )
        items.append(
            {
                "question": question,
                "label": Truncator(strip_tags(question.stem) if question else "").chars(50),
                "answered": len(data["all"]),
                "facility": round(facility, 2) if facility is not None else None,
                "discrimination": (
                    round(discrimination, 2) if discrimination is not None else None
                ),
                "poor": (
                    discrimination is not None
                    and len(data["all"]) >= minimum
                    and discrimination < threshold
                ),
            }
        )
    items.sort(key=lambda row: (row["discrimination"] is None, row["discrimination"] or 0))
    return {
        "count": count,
        "passed": passed,
        "pass_rate": round(100 * passed / count, 1) if count else None,
        "mean": round(_mean(percents), 1) if percents else None,
        "std_dev": round(_std(percents), 1) if percents else None,
        "distribution": distribution,
        "by_department": by_department,
        "items": items,
        "threshold": threshold,
    }


def flag_poor_questions(exam: Exam, *, acting_user=None) -> int:
    """Flag the exam's questions whose discrimination is below the threshold."""
    from wagtail.log_actions import log

    report = exam_report(exam)
    poor = [row["question"] for row in report["items"] if row["poor"] and row["question"]]
    note = _("Low discrimination in “%(exam)s”") % {"exam": exam.title}
    for question in poor:
        question.flagged = True
        question.flag_note = note[:200]
    Question.objects.bulk_update(poor, ["flagged", "flag_note"])
    for question in poor:
        log(question, "wagtail.edit", user=acting_user, data={"flagged": True})
    return len(poor)


def results_rows(exam: Exam):
    attempts = (
        Attempt.objects.filter(exam=exam)
        .select_related("employee__department")
        .order_by("employee__number", "number")
    )
    for a in attempts:
        yield [
            a.employee.number,
            a.employee.name,
            a.employee.department.name if a.employee.department_id else "",
            exam.title,
            a.number,
            timezone.localtime(a.started_at).strftime("%Y-%m-%d %H:%M:%S"),
            timezone.localtime(a.finished_at).strftime("%Y-%m-%d %H:%M:%S")
            if a.finished_at
            else "",
            a.score if a.score is not None else "",
            a.max_score,
            a.percent if a.percent is not None else "",
            {True: "通过", False: "未通过"}.get(a.passed, ""),
            a.get_status_display(),
        ]


RESULT_HEADERS = ["工号", "姓名", "部门", "考试", "次数", "开始时间", "交卷时间", "得分", "满分",
                  "得分率(%)", "是否通过", "状态"]  # fmt: skip
RESPONSE_HEADERS = ["工号", "姓名", "次数", "题号", "题型", "题干", "作答", "得分", "满分",
                    "评语"]  # fmt: skip


def responses_rows(exam: Exam):
    items = (
        AttemptItem.objects.filter(attempt__exam=exam)
        .exclude(attempt__status=Attempt.Status.IN_PROGRESS)
        .select_related("attempt__employee")
        .order_by("attempt__employee__number", "attempt__number", "position")
    )
    for item in items:
        snap = item.snapshot
        yield [
            item.attempt.employee.number,
            item.attempt.employee.name,
            item.attempt.number,
            item.position,
            str(QuestionType(snap["type"]).label),
            strip_tags(snap["stem"]),
            render_response(snap, item.response),
            item.score if item.score is not None else "",
            Decimal(snap["points"]),
            item.comment,
        ]


def export_response(exam: Exam, what: str) -> HttpResponse:
    if what == "results":
        data = xlsx_bytes(RESULT_HEADERS, results_rows(exam))
    else:
        data = xlsx_bytes(RESPONSE_HEADERS, responses_rows(exam))
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    name = f"exam-{exam.pk}-{what}-{timezone.localdate().isoformat()}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response
