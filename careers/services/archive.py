"""The training archive (一人一档): a department's archives as a zip of PDFs, in the background."""

from django.utils.translation import gettext as _

from lms import audit
from lms.jobs import job_start
from lms.models import Employee

from ..tasks import build_department_archive_zip


def archive_export_request(*, department, year=None, acting_user):
    """Queue a zip of the department's archives (one PDF per employee) for ``acting_user``;
    returns the background job to watch."""
    total = Employee.objects.in_department(department).count()
    # Personal data leaves the platform in this zip: the request is logged in the audit trail.
    audit.record_export(
        Employee,
        user=acting_user,
        what=_("Training archives of %(department)s (zip of PDFs)") % {"department": department},
        rows=total,
        filters={"department": department.code, "year": year},
    )
    return job_start(
        kind="careers.archive_zip",
        task=build_department_archive_zip,
        owner=acting_user,
        title=_("Archives of %(department)s %(year)s")
        % {"department": department.name, "year": year or ""},
        params={"department_id": department.pk, "year": year},
        total=total,
    )
