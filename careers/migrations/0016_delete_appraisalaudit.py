"""A frozen period's value corrections and recalculated results are kept once, in the audit
trail (``lms.audit``); the appraisal's own audit table, which held the same facts a second time,
goes. Any of its rows without an entry in the trail (written before the trail existed) is copied
there first, in the trail's shape, so no history is lost."""

import re
from collections import Counter

from django.db import migrations

VALUE_CORRECTED = "careers.value_corrected"
RESULT_CHANGED = "careers.result_changed"
RESULT_TEXT = re.compile(r"^(?P<total_score>\S+) \((?P<grade>.*)\)$")


def _result(text):
    match = RESULT_TEXT.match(text or "")
    return match.groupdict() if match else None


def _key(action, period_id, employee_id, department_id, reason):
    # An employee's value names the employee; a department's value names the department.
    return (action, period_id, employee_id, None if employee_id else department_id, reason)


def forwards(apps, schema_editor):
    AppraisalAudit = apps.get_model("careers", "AppraisalAudit")
    if not AppraisalAudit.objects.exists():
        return
    ContentType = apps.get_model("contenttypes", "ContentType")
    ModelLogEntry = apps.get_model("wagtailcore", "ModelLogEntry")
    IndicatorValue = apps.get_model("careers", "IndicatorValue")
    period_type, _created = ContentType.objects.get_or_create(
        app_label="careers", model="appraisalperiod"
    )
    value_type, _created = ContentType.objects.get_or_create(
        app_label="careers", model="indicatorvalue"
    )
    in_trail = Counter()
    for entry in ModelLogEntry.objects.filter(action__in=[VALUE_CORRECTED, RESULT_CHANGED]):
        data = entry.data or {}
        period_id = int(entry.object_id) if entry.action == RESULT_CHANGED else data.get("period")
        in_trail[
            _key(
                entry.action,
                period_id,
                data.get("employee"),
                data.get("department"),
                data.get("reason", ""),
            )
        ] += 1
    copies = []
    for row in AppraisalAudit.objects.select_related(
        "period", "indicator", "employee__department", "department"
    ).order_by("created_at", "pk"):
        action = VALUE_CORRECTED if row.action == "value_changed" else RESULT_CHANGED
        key = _key(action, row.period_id, row.employee_id, row.department_id, row.reason)
        if in_trail[key]:
            in_trail[key] -= 1
            continue
        department = row.employee.department if row.employee_id else row.department
        subject = row.employee or row.department
        data = {"reason": row.reason}
        if action == VALUE_CORRECTED:
            value = IndicatorValue.objects.filter(
                period_id=row.period_id,
                indicator_id=row.indicator_id,
                employee_id=row.employee_id,
                department_id=row.department_id,
            ).first()
            instance_type, object_id = (
                (value_type, value.pk) if value else (period_type, row.period_id)
            )
            code = row.indicator.code if row.indicator_id else ""
            label = f"{code} · {subject.name if subject else ''}"
            data.update(
                before={"value": row.before} if row.before else None,
                after={"value": row.after},
                indicator=code,
                period=row.period_id,
            )
        else:
            instance_type, object_id = period_type, row.period_id
            label = f"{row.period.name} · {subject.name if subject else ''}"
            data.update(before=_result(row.before), after=_result(row.after))
        before, after = data["before"] or {}, data["after"] or {}
        data["fields"] = sorted(k for k in {*before, *after} if before.get(k) != after.get(k))
        if row.employee_id:
            data["employee"] = row.employee_id
        if department is not None:
            data["department"] = department.pk
            data["department_path"] = department.path
        copies.append(
            ModelLogEntry(
                content_type=instance_type,
                object_id=str(object_id),
                label=label,
                action=action,
                timestamp=row.created_at,
                user_id=row.user_id,
                data=data,
            )
        )
    ModelLogEntry.objects.bulk_create(copies, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("careers", "0015_online_study_in_completed_courses"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0063_modellogentry"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.DeleteModel(name="AppraisalAudit"),
    ]
