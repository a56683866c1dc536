"""Portal pages for careers: appraisal results, archives, plans, rotations and dashboards."""

import datetime
from decimal import Decimal

import tablib
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from lms import audit
from lms.models import Employee
from lms.pdf import pdf_response, render_pdf
from lms.roles import Role, get_employee, has_role
from lms.spreadsheets import dataset_bytes

from . import services
from .archive import archive_context, archive_departments, archive_employees, archive_pdf
from .dashboards import dashboard_context
from .forms import PlanForm
from .hooks import TrainingRun, training_run
from .models import (
    AppraisalResult,
    CareersError,
    DevelopmentGoal,
    DevelopmentPlan,
    Indicator,
    IndicatorValue,
    RotationAssignment,
    management_line_ids,
    plain,
)


def results_for(user):
    """Results the user may open: HR sees every state, others only published ones."""
    results = AppraisalResult.objects.visible_to(user)
    if not has_role(user, Role.HR):
        results = results.published()
    return results


def explain(result):
    """The breakdown rows of a result: indicator, value, rule, score, points and records."""
    indicators = {i.pk: i for i in Indicator.objects.filter(system_id=result.period.system_id)}
    value_ids = [row[4] for row in result.breakdown]
    records = dict(IndicatorValue.objects.filter(pk__in=value_ids).values_list("pk", "records"))
    rows = []
    for indicator_id, value, score, weighted, value_id in result.breakdown:
        indicator = indicators.get(indicator_id)
        if indicator is None:
            continue
        rows.append(
            {
                "indicator": indicator,
                "value": value,
                "score": Decimal(score),
                "weighted": Decimal(weighted),
                "weight": plain(indicator.weight),
                "rule": indicator.rule_text(),
                "records": [
                    {"label": label, "url": url} for label, url in records.get(value_id) or []
                ],
            }
        )
    return rows


@login_required
def result_detail(request, pk):
    result = get_object_or_404(
        results_for(request.user).select_related("period", "employee", "department"), pk=pk
    )
    return render(
        request, "careers/portal/result.html", {"result": result, "rows": explain(result)}
    )


# ---------------------------------------------------------------------------------------------
# Training archive


def period_param(request):
    value = request.GET.get("period") or ""
    return int(value) if value.isdigit() else None


def year_param(request):
    try:
        year = int(request.GET.get("year") or 0)
    except ValueError:
        year = 0
    return year if 2000 <= year <= 2100 else None


def archive_search(request):
    """The archive list's search and page of employees whose archive the user may open (HR:
    all; managers: their subtree): the portal page and the admin screen show the same."""
    employees = archive_employees(request.user)
    query = (request.GET.get("q") or "").strip()
    if query:
        employees = employees.filter(Q(name__icontains=query) | Q(number__icontains=query))
    department_id = request.GET.get("department") or ""
    departments = list(archive_departments(request.user).only("pk", "name", "depth", "path"))
    department = next((d for d in departments if str(d.pk) == department_id), None)
    if department is not None:
        employees = employees.filter(department__path__startswith=department.path)
    page = Paginator(
        employees.select_related("department", "position").order_by("number"), 50
    ).get_page(request.GET.get("page"))
    return {
        "page": page,
        "query": query,
        "departments": departments,
        "department": department,
        "year": year_param(request),
        "years": range(timezone.localdate().year, timezone.localdate().year - 6, -1),
    }


@login_required
def archive_index(request):
    """Employees whose archive the user may open; anyone else is sent to their own archive."""
    if not has_role(request.user, Role.HR, Role.MANAGER):
        own = get_employee(request.user)
        if own is None:
            raise Http404
        return redirect("careers:archive", own.pk)
    return render(request, "careers/portal/archive_index.html", archive_search(request))


def _archive_employee(request, pk):
    return get_object_or_404(
        archive_employees(request.user).select_related("department", "position"), pk=pk
    )


@login_required
def archive_detail(request, pk):
    employee = _archive_employee(request, pk)
    year = year_param(request)
    context = archive_context(employee, year=year, viewer=request.user)
    this_year = timezone.localdate().year
    context["years"] = range(this_year, this_year - 6, -1)
    return render(request, "careers/portal/archive.html", context)


@login_required
def archive_pdf_download(request, pk):
    employee = _archive_employee(request, pk)
    year = year_param(request)
    pdf = archive_pdf(employee, year=year, request=request)
    name = f"{employee.number}-{employee.name}-{year or 'all'}.pdf"
    if employee.user_id != request.user.pk:  # someone else's archive leaves the system
        audit.record_export(
            Employee,
            user=request.user,
            what=_("Training archive PDF"),
            rows=1,
            filters={"year": year} if year else {},
            employee=employee,
        )
    return pdf_response(pdf, name)


@login_required
@require_POST
def archive_zip_request(request):
    department = get_object_or_404(
        archive_departments(request.user), pk=_posted_id(request, "department")
    )
    job = services.archive_export_request(
        department=department,
        year=year_param(request) or _post_year(request),
        acting_user=request.user,
    )
    return redirect("lms_jobs:detail", job.pk)


def _posted_id(request, name) -> int:
    """A posted record id, or 0 (which no record has) when what was posted is not one."""
    value = request.POST.get(name) or ""
    return int(value) if value.isascii() and value.isdigit() and len(value) < 19 else 0


def _post_year(request):
    try:
        year = int(request.POST.get("year") or 0)
    except ValueError:
        return None
    return year if 2000 <= year <= 2100 else None


# ---------------------------------------------------------------------------------------------
# Development plans and rotations


def _plans_for(user):
    """Plans the user may open: own/subtree/all by role, plus those they mentor."""
    employee = get_employee(user)
    visible = DevelopmentPlan.objects.visible_to(user)
    if employee is None:
        return visible
    return DevelopmentPlan.objects.filter(Q(pk__in=visible.values("pk")) | Q(mentor=employee))


def _error_text(error):
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


@login_required
def plan_detail(request, pk):
    plan = get_object_or_404(
        _plans_for(request.user).select_related(
            "employee__department", "target_position", "mentor", "approved_by"
        ),
        pk=pk,
    )
    me = get_employee(request.user)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "check_in" and me is not None:
                services.check_in_add(plan=plan, author=me, note=request.POST.get("note", ""))
            elif action == "submit" and me is not None and me.pk == plan.employee_id:
                services.development_plan_submit(plan=plan, acting_user=request.user)
            elif action == "approve":
                services.development_plan_approve(plan=plan, approver=me, acting_user=request.user)
            elif action == "review" and me is not None:
                services.development_plan_review(
                    plan=plan,
                    text=request.POST.get("review", ""),
                    reviewer=me,
                    acting_user=request.user,
                )
            elif action == "goal_add" and me is not None and me.pk == plan.employee_id:
                due = request.POST.get("due_date") or None
                services.development_goal_add(
                    plan=plan,
                    description=request.POST.get("description", "").strip(),
                    measure=request.POST.get("measure", "").strip(),
                    due_date=datetime.date.fromisoformat(due) if due else None,
                    acting_user=request.user,
                )
            elif action == "goal_status" and me is not None:
                goal = get_object_or_404(plan.goals, pk=_posted_id(request, "goal"))
                if request.POST.get("status") not in DevelopmentGoal.Status.values:
                    raise ValidationError(_("Choose a status."))
                services.development_goal_set_status(
                    goal=goal, status=request.POST["status"], acting_user=request.user
                )
            else:
                raise PermissionDenied
        except (ValidationError, CareersError) as error:
            messages.error(request, _error_text(error))
        except ValueError:
            messages.error(request, _("Write the date as YYYY-MM-DD."))
        else:
            messages.success(request, _("Saved."))
        return redirect("careers:plan", plan.pk)
    return render(
        request,
        "careers/portal/plan.html",
        {
            "plan": plan,
            "goals": list(plan.goals.all()),
            "courses": services.planned_course_progress(plan),
            "check_ins": list(plan.check_ins.select_related("author")[:50]),
            "goal_statuses": DevelopmentGoal.Status.choices,
            "is_owner": me is not None and me.pk == plan.employee_id,
            "moves": plan.available_moves(me),
        },
    )


@login_required
def plan_create(request):
    me = get_employee(request.user)
    if me is None:
        raise Http404
    if request.method == "POST":
        form = PlanForm(request.POST)
        if form.is_valid():
            try:
                plan = services.development_plan_create(
                    employee=me,
                    year=form.cleaned_data["year"],
                    target_position=form.cleaned_data["target_position"],
                    acting_user=request.user,
                )
            except ValidationError as error:
                form.add_error(None, _error_text(error))
            else:
                return redirect("careers:plan", plan.pk)
    else:
        form = PlanForm(initial={"year": timezone.localdate().year})
    return render(request, "careers/portal/plan_form.html", {"form": form})


def _rotations_for(user):
    employee = get_employee(user)
    visible = RotationAssignment.objects.visible_to(user)
    if employee is None:
        return visible
    receiving_paths = [d.path for d in employee.managed_departments.all()]
    condition = Q(pk__in=visible.values("pk")) | Q(mentor=employee)
    for path in receiving_paths:
        condition |= Q(to_department__path__startswith=path)
    return RotationAssignment.objects.filter(condition)


@login_required
def rotation_detail(request, pk):
    rotation = get_object_or_404(
        _rotations_for(request.user).select_related(
            "programme",
            "employee",
            "from_department",
            "from_position",
            "to_department",
            "to_position",
            "mentor",
            "evaluated_by",
        ),
        pk=pk,
    )
    me = get_employee(request.user)
    objectives = list(rotation.objectives.all())
    in_line = me is not None and me.pk in management_line_ids(rotation.to_department)
    can_evaluate = in_line and rotation.status == RotationAssignment.Status.ACTIVE
    can_change = rotation.status == RotationAssignment.Status.COMPLETED and (
        in_line or (me is not None and has_role(request.user, Role.HR))
    )
    if request.method == "POST" and can_change:
        return _rotation_evaluation_change(request, rotation, objectives, me)
    if request.method == "POST":
        if me is None:
            raise PermissionDenied
        scores = _posted_scores(request, objectives)
        try:
            services.rotation_evaluate(
                assignment=rotation,
                evaluator=me,
                scores=scores,
                comment=request.POST.get("comment", ""),
                acting_user=request.user,
            )
        except (ValidationError, CareersError) as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("Evaluation saved; the rotation is completed."))
        return redirect("careers:rotation", rotation.pk)
    return render(
        request,
        "careers/portal/rotation.html",
        {
            "rotation": rotation,
            "objectives": objectives,
            "can_evaluate": can_evaluate,
            "can_change": can_change,
        },
    )


def _posted_scores(request, objectives):
    """``{objective id: (score, comment)}`` for the objectives given a readable score."""
    scores = {}
    for objective in objectives:
        raw = request.POST.get(f"score-{objective.pk}", "").strip()
        if raw:
            try:
                scores[objective.pk] = (
                    Decimal(raw),
                    request.POST.get(f"comment-{objective.pk}", ""),
                )
            except ArithmeticError:
                pass
    return scores


def _rotation_evaluation_change(request, rotation, objectives, me):
    """A completed rotation's evaluation changed by its receiving line or HR, with a reason."""
    scores = _posted_scores(request, objectives)
    try:
        services.rotation_evaluation_change(
            assignment=rotation,
            evaluator=me,
            scores=scores,
            comment=request.POST.get("comment", ""),
            reason=request.POST.get("reason", ""),
            acting_user=request.user,
        )
    except (ValidationError, CareersError) as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("The evaluation was changed; the change is audited."))
    return redirect("careers:rotation", rotation.pk)


# ---------------------------------------------------------------------------------------------
# One archive per training run (一期一档)


@login_required
def training_run_pdf(request, session_id):
    """The session's roster, attendance, results and questionnaire summary as a PDF.

    HR and trainers may download any run; the session's own trainer theirs; nobody else.
    """
    allowed = request.user.is_superuser or has_role(request.user, Role.HR, Role.TRAINER)
    employee = get_employee(request.user)
    if not allowed and employee is None:
        raise PermissionDenied
    run: TrainingRun | None = training_run(session_id)
    if run is None:
        if not allowed:
            raise PermissionDenied
        raise Http404
    if not allowed and run.trainer_id != employee.pk:
        raise PermissionDenied
    pdf = render_pdf(
        "careers/pdf/training_run.html",
        {"run": run, "generated_at": timezone.localtime()},
        request=request,
    )
    return pdf_response(pdf, f"training-run-{session_id}.pdf")


# ---------------------------------------------------------------------------------------------
# Dashboards


def _dashboard_user(request):
    if not has_role(request.user, Role.HR, Role.MANAGER):
        raise PermissionDenied


@login_required
def dashboard(request):
    _dashboard_user(request)
    context = dashboard_context(
        request.user, year=year_param(request), period_id=period_param(request)
    )
    return render(request, "careers/portal/dashboard.html", context)


def _xlsx_response(dataset, name):
    data = dataset_bytes(dataset, "xlsx")
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@login_required
def dashboard_export(request, name):
    _dashboard_user(request)
    context = dashboard_context(
        request.user, year=year_param(request), period_id=period_param(request)
    )
    dataset = tablib.Dataset()
    if name == "grades":
        distribution = context["distribution"]
        dataset.headers = [_("Department"), *distribution["grades"], _("People")]
        rows = distribution["rows"] + ([distribution["total"]] if distribution["total"] else [])
        for row in rows:
            dataset.append([str(row["department"]), *row["cells"], row["people"]])
    elif name == "rectifications":
        dataset.headers = [
            _("Employee number"),
            pgettext("careers", "Name"),
            _("Department"),
            _("Rectification"),
            _("Deadline"),
            _("Follow-up"),
        ]
        for record in context["overdue"]:
            dataset.append(
                [
                    record.employee.number,
                    record.employee.name,
                    str(record.employee.department),
                    record.title,
                    record.deadline.isoformat(),
                    str(record.get_follow_up_display()),
                ]
            )
    elif name == "sources":
        dataset.headers = [_("Indicator source"), _("People with a value"), _("Average")]
        for figure in context["sources"]:
            dataset.append([str(figure["label"]), figure["count"], str(figure["average"] or "")])
    else:
        figure = next((figure for figure in context["figures"] if figure["key"] == name), None)
        if figure is None:
            raise Http404
        dataset.title = str(figure["label"])[:31]
        headers = [_("Department"), *[str(column) for column in figure["columns"]]]
        if figure["rate_label"]:
            headers.append(
                str(figure["rate_label"]) + (f" ({figure['unit']})" if figure["unit"] else "")
            )
        dataset.headers = headers
        for row in [*figure["rows"], figure["total"]]:
            line = [str(row["department"]), *[_number(cell) for cell in row["cells"]]]
            if figure["rate_label"]:
                line.append(_number(row["rate"]))
            dataset.append(line)
    return _xlsx_response(dataset, f"{name}-{timezone.localdate().isoformat()}.xlsx")


def _number(value):
    """Whole numbers as int, others as float, missing as empty: real numbers in the workbook."""
    if value is None:
        return ""
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)
