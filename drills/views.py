"""Pages outside the admin: the coordinator's dashboard and drill workbench, the evaluator's
phone sheet, the after-action report (HTML and PDF), self-assessment and corrective actions."""

from collections import OrderedDict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lms.media import private_file_response
from lms.pdf import pdf_response, render_pdf
from lms.portal import redirect_to_first_live
from lms.roles import Role, get_employee, has_role, managed_department_paths, require_role

from . import services
from .forms import (
    ActionForm,
    ConductForm,
    FindingForm,
    NoteForm,
    RejectForm,
    ResultForm,
    SelfAssessmentForm,
    SheetAssignForm,
    SummaryForm,
    VerifyForm,
)
from .models import (
    Capability,
    CorrectiveAction,
    Drill,
    DrillError,
    DrillParticipant,
    EmergencyPlanIndexPage,
    EmergencyPlanPage,
    EvaluationSheet,
    ExerciseRole,
    Finding,
    Phase,
    RatingLevel,
)
from .models.evaluation import EDITABLE_DRILL_STATUSES
from .scoring import drill_scores, plan_coverage

DASHBOARD_LIMIT = 20


def _is_coordinator(user):
    return has_role(user, Role.COORDINATOR)


def _require_coordinator(request):
    require_role(request.user, Role.COORDINATOR)


def _error(request, error):
    for message in error.messages:
        messages.error(request, message)


def _form_errors(request, form):
    """A form's errors as messages, each named by its field's label."""
    for name, errors in form.errors.items():
        for error in errors:
            label = form.fields[name].label if name in form.fields else ""
            messages.error(request, f"{label}: {error}" if label else error)


# --- coordinator ------------------------------------------------------------------------------


def dashboard_context(today):
    """The coordinator's dashboard: upcoming drills, outstanding sheets, overdue actions and plan
    coverage, shown by the portal page and the admin screen (drills.viewsets.DashboardView)."""
    upcoming = list(
        Drill.objects.upcoming(today).with_related().order_by("planned_start")[:DASHBOARD_LIMIT]
    )
    outstanding = list(
        EvaluationSheet.objects.outstanding()
        .filter(drill__status__in=EDITABLE_DRILL_STATUSES)
        .select_related("drill", "evaluator")
        .order_by("drill__planned_start", "pk")[:DASHBOARD_LIMIT]
    )
    overdue = list(
        CorrectiveAction.objects.overdue(today)
        .select_related("owner", "department", "finding__drill")
        .order_by("due_date", "pk")[:DASHBOARD_LIMIT]
    )
    coverage = plan_coverage(
        EmergencyPlanPage.objects.live().with_org().order_by("code"), today=today
    )
    return {
        "upcoming": upcoming,
        "outstanding": outstanding,
        "overdue": overdue,
        "coverage": coverage,
        "not_drilled": [row for row in coverage if row["last_drill"] is None],
        "today": today,
    }


@login_required
def dashboard(request):
    _require_coordinator(request)
    return render(request, "drills/dashboard.html", dashboard_context(timezone.localdate()))


def _visible_drill(request, pk):
    return get_object_or_404(
        Drill.objects.visible_to(request.user).with_related().select_related("plan_revision"),
        pk=pk,
    )


def _workbench_drill(request, pk):
    """The workbench is for coordinators (everything) and managers (their scope, read-only)."""
    if not (_is_coordinator(request.user) or managed_department_paths(request.user)):
        raise PermissionDenied
    return _visible_drill(request, pk)


@login_required
def drill_detail(request, pk):
    drill = _workbench_drill(request, pk)
    participants = list(drill.participants.select_related("employee__department"))
    sheets = list(drill.sheets.select_related("evaluator", "department"))
    findings = list(
        drill.findings.prefetch_related("criteria").select_related(
            "responsible_department", "recurrence_of"
        )
    )
    actions = list(
        CorrectiveAction.objects.filter(finding__drill=drill).select_related("owner", "department")
    )
    for finding in findings:
        finding.action_list = [a for a in actions if a.finding_id == finding.pk]
    can_act = _is_coordinator(request.user)
    return render(
        request,
        "drills/drill_detail.html",
        {
            "drill": drill,
            "participants": participants,
            "sheets": sheets,
            "findings": findings,
            "scores": _score_rows(drill_scores(drill)),
            "can_act": can_act,
            "moves": drill.available_moves(request.user),
            "conduct_form": ConductForm(participants=participants),
            "summary_form": SummaryForm(initial={"summary": drill.summary}),
            "finding_form": FindingForm(drill=drill),
            "action_form": ActionForm(drill=drill),
            "assign_form": SheetAssignForm(drill=drill),
            "sheet_reopenable": drill.status in EDITABLE_DRILL_STATUSES,
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def drill_transition(request, pk, op):
    _require_coordinator(request)
    drill = _visible_drill(request, pk)
    try:
        if op == "conduct":
            form = ConductForm(request.POST, participants=list(drill.participants.all()))
            if not form.is_valid():
                raise DrillError([str(e) for errors in form.errors.values() for e in errors])
            services.drill_record_conducted(
                drill=drill,
                actual_start=form.cleaned_data["actual_start"],
                actual_end=form.cleaned_data["actual_end"],
                absent=form.cleaned_data["absent"],
                acting_user=request.user,
            )
            messages.success(request, _("The drill is recorded as conducted."))
        elif op == "summary":
            form = SummaryForm(request.POST)
            form.is_valid()
            services.drill_summary_update(
                drill=drill, summary=form.cleaned_data.get("summary", ""), acting_user=request.user
            )
            messages.success(request, _("Summary saved."))
        elif op == "evaluate":
            services.drill_mark_evaluated(drill=drill, acting_user=request.user)
            messages.success(request, _("The drill is marked as evaluated."))
        elif op == "approve":
            snapshot = services.report_approve(drill=drill, acting_user=request.user)
            messages.success(
                request,
                _("Report approved; scores frozen as snapshot %(v)s.") % {"v": snapshot.version},
            )
        elif op == "close":
            services.drill_close(drill=drill, acting_user=request.user)
            messages.success(request, _("The drill is closed."))
        else:
            raise PermissionDenied
    except DrillError as error:
        _error(request, error)
    return redirect("drills:drill", pk=drill.pk)


@login_required
@require_POST
def finding_add(request, pk):
    _require_coordinator(request)
    drill = _visible_drill(request, pk)
    form = FindingForm(request.POST, drill=drill)
    if form.is_valid():
        try:
            services.finding_record(
                drill=drill,
                recorded_by=get_employee(request.user),
                **{
                    name: form.cleaned_data[name]
                    for name in (
                        "kind",
                        "grade",
                        "title",
                        "description",
                        "criteria",
                        "responsible_department",
                        "recurrence_of",
                    )
                },
            )
            messages.success(request, _("Finding recorded."))
        except DrillError as error:
            _error(request, error)
    else:
        _form_errors(request, form)
    return redirect("drills:drill", pk=drill.pk)


@login_required
@require_POST
def action_add(request, pk):
    _require_coordinator(request)
    drill = _visible_drill(request, pk)
    form = ActionForm(request.POST, drill=drill)
    if form.is_valid():
        try:
            services.action_create(created_by=get_employee(request.user), **form.cleaned_data)
            messages.success(request, _("Corrective action created."))
        except DrillError as error:
            _error(request, error)
    else:
        _form_errors(request, form)
    return redirect("drills:drill", pk=drill.pk)


@login_required
@require_POST
def sheet_assign(request, pk):
    _require_coordinator(request)
    drill = _visible_drill(request, pk)
    form = SheetAssignForm(request.POST, drill=drill)
    try:
        if not form.is_valid():
            raise DrillError([e for errors in form.errors.values() for e in errors])
        services.sheet_assign(
            sheet=form.cleaned_data["sheet"],
            department=form.cleaned_data["department"],
            phases=form.cleaned_data["phases"],
            acting_user=request.user,
        )
        messages.success(request, _("Assignment saved."))
    except DrillError as error:
        _error(request, error)
    return redirect("drills:drill", pk=drill.pk)


@login_required
@require_POST
def sheet_reopen(request, pk):
    """A coordinator returns a submitted sheet to its evaluator, saying why (audited)."""
    _require_coordinator(request)
    sheet = _visible_sheet(request, pk)
    try:
        services.sheet_reopen(
            sheet=sheet, reason=request.POST.get("reason", ""), acting_user=request.user
        )
        messages.success(request, _("The sheet is back with its evaluator."))
    except DrillError as error:
        _error(request, error)
    return redirect("drills:drill", pk=sheet.drill_id)


# --- evaluator --------------------------------------------------------------------------------


def _visible_sheet(request, pk):
    return get_object_or_404(
        EvaluationSheet.objects.visible_to(request.user).select_related(
            "drill", "template", "department", "evaluator"
        ),
        pk=pk,
    )


def _own_sheet(request, pk):
    sheet = _visible_sheet(request, pk)
    employee = get_employee(request.user)
    if employee is None or sheet.evaluator_id != employee.pk:
        raise PermissionDenied
    return sheet


@login_required
def result_photo(request, pk, result_pk):
    """A criterion's photo evidence, to the people who may open its sheet (the evaluator, the
    drill's coordinators and managers in scope): never from a public media path."""
    sheet = _visible_sheet(request, pk)
    result = get_object_or_404(sheet.results.exclude(photo=""), pk=result_pk)
    return private_file_response(result.photo)


@login_required
def sheet_view(request, pk):
    sheet = _visible_sheet(request, pk)
    employee = get_employee(request.user)
    results = list(sheet.results.select_related("criterion").order_by("criterion__sort_order"))
    scale_ids = {result.criterion.scale_id for result in results}
    levels = {}
    scales = {}
    for level in RatingLevel.objects.filter(scale_id__in=scale_ids).select_related("scale"):
        levels.setdefault(level.scale_id, []).append(level)
        scales[level.scale_id] = level.scale
    sections = OrderedDict()
    by_phase = sheet.template.organised_by == "phase"
    for result in results:
        criterion = result.criterion
        criterion.template = sheet.template  # spares a query per criterion
        result.level_options = levels.get(criterion.scale_id, [])
        result.scale = scales.get(criterion.scale_id)
        result.chosen = next((lv for lv in result.level_options if lv.pk == result.level_id), None)
        key = criterion.phase if by_phase else criterion.capability
        label = Phase(key).label if by_phase else Capability(key).label
        sections.setdefault(key, {"label": label, "results": []})["results"].append(result)
    rated = sum(1 for result in results if result.level_id or result.points is not None)
    editable = (
        employee is not None
        and sheet.evaluator_id == employee.pk
        and not sheet.is_submitted
        and sheet.drill.status in EDITABLE_DRILL_STATUSES
    )
    return render(
        request,
        "drills/sheet.html",
        {
            "sheet": sheet,
            "drill": sheet.drill,
            "sections": list(sections.values()),
            "rated": rated,
            "total": len(results),
            "editable": editable,
        },
    )


def _wants_json(request):
    return request.headers.get("x-requested-with") == "fetch"


@login_required
@require_POST
def result_save(request, pk, result_pk):
    """Save the fields the evaluator changed, each on its own.

    The sheet's script names the changed fields in ``fields``; a plain form post (no script)
    sends them all. A field that is refused (a rating still waiting for its reason, a photo
    that is not an image) keeps its stored value, and the others are saved all the same.
    """
    sheet = _own_sheet(request, pk)
    result = get_object_or_404(sheet.results.select_related("criterion__scale"), pk=result_pk)
    result.sheet = sheet
    form = ResultForm(request.POST, request.FILES, scale=result.criterion.scale)
    named = [name for name in request.POST.get("fields", "").split(",") if name]
    fields = [name for name in named if name in services.RESULT_FIELDS] or list(
        services.RESULT_FIELDS
    )
    form.is_valid()
    errors = {name: list(form.errors[name]) for name in fields if name in form.errors}
    changes = {
        name: form.cleaned_data.get(name)
        for name in fields
        if name not in errors and (name != "photo" or "photo" in request.FILES)
    }
    try:
        for name, messages_ in services.result_save_fields(result=result, changes=changes).items():
            errors.setdefault(name, []).extend(messages_)
    except DrillError as error:
        if _wants_json(request):
            return JsonResponse(
                {"ok": False, "saved": [], "errors": {"__all__": error.messages}}, status=400
            )
        _error(request, error)
        return redirect(reverse("drills:sheet", args=[sheet.pk]) + f"#criterion-{result.pk}")
    saved = [name for name in fields if name not in errors]
    anchor = reverse("drills:sheet", args=[sheet.pk]) + f"#criterion-{result.pk}"
    if _wants_json(request):
        rated = sheet.results.filter(Q(level__isnull=False) | Q(points__isnull=False)).count()
        return JsonResponse(
            {
                "ok": not errors,
                "saved": saved,
                "errors": errors,
                "rated": rated,
                "photo": reverse("drills:result_photo", args=[sheet.pk, result.pk])
                if result.photo
                else "",
            },
            status=400 if errors else 200,
        )
    if errors:
        _error(request, DrillError([m for messages_ in errors.values() for m in messages_]))
    else:
        messages.success(request, _("Saved."))
    return redirect(anchor)


@login_required
@require_POST
def sheet_submit(request, pk):
    sheet = _own_sheet(request, pk)
    try:
        services.sheet_submit(sheet=sheet)
        messages.success(request, _("Your evaluation sheet is submitted. Thank you."))
    except DrillError as error:
        _error(request, error)
    return redirect("drills:sheet", pk=sheet.pk)


# --- report -----------------------------------------------------------------------------------


def _score_rows(scores):
    """Labelled rows for templates, from live scores or a snapshot's stored data."""

    def rows(mapping, choices):
        out = []
        for key, label in choices.choices:
            if key in mapping and mapping[key] is not None:
                out.append({"label": label, "score": mapping[key]})
        return out

    return {
        "overall": scores.get("overall"),
        "by_phase": rows(scores.get("by_phase", {}), Phase),
        "by_capability": rows(scores.get("by_capability", {}), Capability),
        "by_role": rows(scores.get("by_role", {}), ExerciseRole),
        "by_department": [
            {"label": row["name"], "score": row["score"]}
            for row in scores.get("by_department", {}).values()
        ],
    }


def _report_context(request, pk):
    drill = _visible_drill(request, pk)
    snapshot = drill.snapshots.select_related("approved_by").first()
    if snapshot is not None:
        scores, frozen = snapshot.data, True
    else:
        scores, frozen = drill_scores(drill), False
    participant_scores = scores.get("participants", {})
    participants = list(drill.participants.select_related("employee__department"))
    for participant in participants:
        row = participant_scores.get(participant.employee_id) or participant_scores.get(
            str(participant.employee_id)
        )
        participant.score = row.get("score") if row else None
    findings = list(drill.findings.select_related("responsible_department"))
    actions = list(
        CorrectiveAction.objects.filter(finding__drill=drill).select_related(
            "owner", "department", "finding"
        )
    )
    return {
        "drill": drill,
        "snapshot": snapshot,
        "frozen": frozen,
        "scores": _score_rows(scores),
        "participants": participants,
        "strengths": [f for f in findings if f.kind == Finding.Kind.STRENGTH],
        "improvements": [f for f in findings if f.kind == Finding.Kind.IMPROVEMENT],
        "actions": actions,
        "is_coordinator": _is_coordinator(request.user),
    }


@login_required
def report(request, pk):
    return render(request, "drills/report.html", _report_context(request, pk))


@login_required
def report_pdf(request, pk):
    context = _report_context(request, pk)
    # The PDF is the company's record, so it is always in Chinese.
    with translation.override("zh-hans"):
        pdf = render_pdf("drills/report_pdf.html", context, request=request)
    return pdf_response(pdf, f"drill-report-{pk}.pdf")


# --- participants -----------------------------------------------------------------------------


@login_required
def participation(request, pk):
    participant = get_object_or_404(
        DrillParticipant.objects.visible_to(request.user).select_related("drill", "employee"),
        pk=pk,
    )
    employee = get_employee(request.user)
    own = employee is not None and participant.employee_id == employee.pk
    form = SelfAssessmentForm(initial={"text": participant.self_assessment})
    if request.method == "POST":
        if not own:
            raise PermissionDenied
        form = SelfAssessmentForm(request.POST)
        if form.is_valid():
            try:
                services.participant_self_assess(
                    participant=participant, text=form.cleaned_data["text"]
                )
                messages.success(request, _("Your self-assessment is saved."))
                return redirect("drills:participation", pk=participant.pk)
            except DrillError as error:
                _error(request, error)
    snapshot = participant.drill.snapshots.first()
    score = None
    if snapshot is not None:
        score = (
            snapshot.data.get("participants", {}).get(str(participant.employee_id), {}).get("score")
        )
    return render(
        request,
        "drills/participation.html",
        {
            "participant": participant,
            "drill": participant.drill,
            "own": own,
            "form": form,
            "score": score,
            "can_assess": own
            and participant.drill.status not in (Drill.Status.PLANNED, Drill.Status.CLOSED),
        },
    )


# --- corrective actions -----------------------------------------------------------------------


@login_required
def action_detail(request, pk):
    action = get_object_or_404(
        CorrectiveAction.objects.visible_to(request.user).select_related(
            "owner__department", "department", "finding__drill", "plan_revision", "verified_by"
        ),
        pk=pk,
    )
    employee = get_employee(request.user)
    is_owner = employee is not None and action.owner_id == employee.pk
    can_verify = action.may_verify(request.user)
    if request.method == "POST":
        op = request.POST.get("op")
        try:
            if op in ("start", "submit", "note"):
                if not is_owner:
                    raise PermissionDenied
                note = request.POST.get("note", "")
                if op == "start":
                    services.action_start(action=action, by=employee, note=note)
                elif op == "submit":
                    services.action_submit(action=action, by=employee, note=note)
                else:
                    services.action_note(action=action, by=employee, note=note)
            elif op == "verify":
                if not can_verify:
                    raise PermissionDenied
                form = VerifyForm(request.POST)
                if not form.is_valid():
                    raise DrillError([e for errors in form.errors.values() for e in errors])
                services.action_verify(action=action, by=employee, **form.cleaned_data)
            elif op == "reject":
                if not _is_coordinator(request.user):
                    raise PermissionDenied
                services.action_reject(
                    action=action, by=employee, reason=request.POST.get("reason", "")
                )
            else:
                raise PermissionDenied
            messages.success(request, _("Saved."))
        except DrillError as error:
            _error(request, error)
        return redirect("drills:action", pk=action.pk)
    return render(
        request,
        "drills/action.html",
        {
            "action": action,
            "log": list(action.log.select_related("by")),
            "is_owner": is_owner,
            "moves": action.available_moves(request.user),
            "note_form": NoteForm(),
            "verify_form": VerifyForm(),
            "reject_form": RejectForm(),
            "overdue": action.is_overdue(),
        },
    )


@login_required
def plan_library(request):
    """The emergency-plan library, from the portal menu."""
    return redirect_to_first_live(EmergencyPlanIndexPage.objects.all())
