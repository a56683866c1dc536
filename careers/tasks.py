"""Background work: a department's training archives as one zip of PDFs, and the appraisal
calculation, both as background jobs (``lms.jobs``) with progress."""

import functools

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import task

from lms.jobs import JobError, job_run
from lms.models import Department, Employee

from .archive import archive_pdf
from .models import AppraisalError, AppraisalPeriod, TrainingHoursRule


@task()
def build_department_archive_zip(job_id: int):
    with job_run(job_id) as job:
        department = Department.objects.filter(pk=job.params["department_id"]).first()
        if department is None:
            raise JobError(_("The department no longer exists."))
        year = job.params.get("year")
        owner = get_user_model().objects.filter(pk=job.job.owner_id).first()
        employees = list(
            Employee.objects.in_department(department)
            .select_related("department", "position")
            .order_by("department__path", "number")
        )
        rules = {rule.category: rule for rule in TrainingHoursRule.objects.all()}
        job.save_zip(
            f"archives-{department.code}-{year or 'all'}.zip",
            (
                (
                    f"{employee.number}-{employee.name}.pdf",
                    # What the PDFs show is what their requester may see (personal data).
                    functools.partial(archive_pdf, employee, year=year, rules=rules, viewer=owner),
                )
                for employee in employees
            ),
        )
        job.finish(
            ngettext("%(count)s archive.", "%(count)s archives.", len(employees))
            % {"count": len(employees)}
        )


@task()
def calculate_appraisal(job_id: int):
    """Score the whole company for a period (``services.appraisal_period_calculate``)."""
    from . import services  # here: the services queue this task, so they import this module

    with job_run(job_id) as job:
        period = AppraisalPeriod.objects.filter(pk=job.params["period_id"]).first()
        if period is None:
            raise JobError(_("The appraisal period no longer exists."))
        owner = get_user_model().objects.filter(pk=job.job.owner_id).first()
        # One set-wise transaction: progress moves from "calculating" to "done" in one step.
        job.progress(0, 1)
        try:
            summary = services.appraisal_period_calculate(period=period, acting_user=owner)
        except AppraisalError as error:
            raise JobError(str(error)) from None
        job.progress(1)
        job.finish(
            _("%(employees)s employees, %(results)s results, %(values)s values from sources.")
            % {
                "employees": summary.employees,
                "results": summary.results,
                "values": summary.source_values,
            }
        )
