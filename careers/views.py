"""Portal pages for careers: an employee's appraisal result with its explained breakdown."""

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from lms.pdf import pdf_response
from lms.roles import get_employee, has_role

from . import services
from .archive import archive_context, archive_departments, archive_employees, archive_pdf
from .models import AppraisalResult, ArchiveExport, Indicator, IndicatorValue


def results_for(user):
    """Results the user may open: HR sees every state, others only published ones."""
    results = AppraisalResult.objects.visible_to(user)
    if not has_role(user, "HR"):
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
                "weight": indicator.weight,
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


def _year(request):
    try:
        year = int(request.GET.get("year") or 0)
    except ValueError:
        year = 0
    return year if 2000 <= year <= 2100 else None


@login_required
def archive_index(request):
    """Employees whose archive the user may open (HR: all; managers: their subtree)."""
    employees = archive_employees(request.user)
    if not has_role(request.user, "HR", "Department manager"):
        own = get_employee(request.user)
        if own is None:
            raise Http404
        return redirect("careers:archive", own.pk)
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
    return render(
        request,
        "careers/portal/archive_index.html",
        {
            "page": page,
            "query": query,
            "departments": departments,
            "department": department,
            "year": _year(request),
            "years": range(timezone.localdate().year, timezone.localdate().year - 6, -1),
        },
    )


def _archive_employee(request, pk):
    return get_object_or_404(
        archive_employees(request.user).select_related("department", "position"), pk=pk
    )


@login_required
def archive_detail(request, pk):
    employee = _archive_employee(request, pk)
    year = _year(request)
    context = archive_context(employee, year=year)
    this_year = timezone.localdate().year
    context["years"] = range(this_year, this_year - 6, -1)
    return render(request, "careers/portal/archive.html", context)


@login_required
def archive_pdf_download(request, pk):
    employee = _archive_employee(request, pk)
    year = _year(request)
    pdf = archive_pdf(employee, year=year, request=request)
    name = f"{employee.number}-{employee.name}-{year or 'all'}.pdf"
    return pdf_response(pdf, name)


@login_required
@require_POST
def archive_zip_request(request):
    department = get_object_or_404(
        archive_departments(request.user), pk=request.POST.get("department") or 0
    )
    export = services.archive_export_request(
        department=department, year=_year(request) or _post_year(request), acting_user=request.user
    )
    return redirect("careers:archive_export", export.pk)


def _post_year(request):
    try:
        year = int(request.POST.get("year") or 0)
    except ValueError:
        return None
    return year if 2000 <= year <= 2100 else None


@login_required
def archive_export_status(request, pk):
    export = get_object_or_404(
        ArchiveExport.objects.visible_to(request.user).select_related("department"), pk=pk
    )
    if request.GET.get("format") == "json":
        return JsonResponse({"status": export.status, "done": export.done, "total": export.total})
    return render(request, "careers/portal/archive_export.html", {"export": export})


@login_required
def archive_export_download(request, pk):
    export = get_object_or_404(
        ArchiveExport.objects.visible_to(request.user), pk=pk, status=ArchiveExport.Status.DONE
    )
    response = FileResponse(export.file.open("rb"), as_attachment=True)
    response["Content-Type"] = "application/zip"
    response["Content-Disposition"] = content_disposition_header(
        True, export.file.name.rsplit("/", 1)[-1]
    )
    return response
