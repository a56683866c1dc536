"""Background work: a department's training archives as one zip of PDFs."""

import io
import zipfile

from django.core.files.base import ContentFile
from django_tasks import task

from lms.models import Employee

from .archive import archive_pdf
from .models import ArchiveExport, TrainingHoursRule


@task()
def build_department_archive_zip(export_id: int):
    export = ArchiveExport.objects.select_related("department", "requested_by").get(pk=export_id)
    employees = list(
        Employee.objects.in_department(export.department)
        .select_related("department", "position")
        .order_by("department__path", "number")
    )
    rules = {rule.category: rule for rule in TrainingHoursRule.objects.all()}
    ArchiveExport.objects.filter(pk=export.pk).update(
        status=ArchiveExport.Status.RUNNING, total=len(employees), done=0
    )
    buffer = io.BytesIO()
    try:
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for done, employee in enumerate(employees, 1):
                pdf = archive_pdf(
                    employee, year=export.year, rules=rules, viewer=export.requested_by
                )
                archive.writestr(f"{employee.number}-{employee.name}.pdf", pdf)
                # Progress is written as it goes so the status page can show it.
                ArchiveExport.objects.filter(pk=export.pk).update(done=done)
    except Exception as error:
        ArchiveExport.objects.filter(pk=export.pk).update(
            status=ArchiveExport.Status.FAILED, error=str(error)
        )
        raise
    export.refresh_from_db()
    name = f"archives-{export.department.code}-{export.year or 'all'}.zip"
    export.file.save(name, ContentFile(buffer.getvalue()), save=False)
    export.status = ArchiveExport.Status.DONE
    export.save(update_fields=["file", "status"])
    return export.pk
