"""KPI value import and export (XLSX and CSV) for appraisal periods.

One row per value: period name, indicator code, and either an employee number (employee
indicators) or a department code (department indicators), then the value. The whole file is
refused, with each bad row named, when a row names an unknown period, indicator, employee or
department, a value out of the indicator's range, or a period that no longer takes values.
"""

from collections import defaultdict
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from lms.importing import TextWidget, require_columns
from lms.models import Department, Employee

from . import services
from .models import (
    AppraisalError,
    AppraisalPeriod,
    AppraisalResult,
    Indicator,
    IndicatorValue,
    Subject,
    plain,
)

PERIOD = "考核期间"
INDICATOR = "指标编码"
NUMBER = "工号"
DEPARTMENT = "部门编码"
VALUE = "数值"
NOTE = "备注"

COLUMN_ALIASES = {
    "period": PERIOD,
    "indicator": INDICATOR,
    "indicator code": INDICATOR,
    "employee number": NUMBER,
    "number": NUMBER,
    "department": DEPARTMENT,
    "department code": DEPARTMENT,
    "value": VALUE,
    "note": NOTE,
}
REFERENCE_FIELDS = ("period", "indicator", "employee", "department")


class ValueWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            raise ValueError(_("a value is required"))
        try:
            return Decimal(str(value).strip().replace(",", ""))
        except InvalidOperation:
            raise ValueError(_("“%(value)s” is not a number") % {"value": value}) from None

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else plain(value)


class IndicatorValueResource(resources.ModelResource):
    period = fields.Field(attribute="period__name", column_name=PERIOD, widget=TextWidget())
    indicator = fields.Field(
        attribute="indicator__code", column_name=INDICATOR, widget=TextWidget()
    )
    indicator_name = fields.Field(attribute="indicator__name", column_name="指标", readonly=True)
    employee = fields.Field(attribute="employee__number", column_name=NUMBER, widget=TextWidget())
    employee_name = fields.Field(attribute="employee__name", column_name="姓名", readonly=True)
    department = fields.Field(
        attribute="department__code", column_name=DEPARTMENT, widget=TextWidget()
    )
    value = fields.Field(attribute="value", column_name=VALUE, widget=ValueWidget())
    note = fields.Field(attribute="note", column_name=NOTE, widget=TextWidget())

    class Meta:
        model = IndicatorValue
        fields = (
            "period",
            "indicator",
            "indicator_name",
            "employee",
            "employee_name",
            "department",
            "value",
            "note",
        )
        export_order = fields
        use_bulk = True
        batch_size = None
        skip_diff = True

    def __init__(self, acting_user=None, **kwargs):
        super().__init__(**kwargs)
        self.acting_user = acting_user
        self._periods = None
        self._indicators = None
        self._employees = None
        self._departments = None
        self._seen = {}
        self._pending = []

    def get_queryset(self):
        return IndicatorValue.objects.select_related(
            "period", "indicator", "employee", "department"
        )

    def get_import_fields(self):
        return [field for field in super().get_import_fields() if not field.readonly]

    def before_import(self, dataset, **kwargs):
        dataset.headers = [COLUMN_ALIASES.get(h.strip().lower(), h) for h in dataset.headers]
        require_columns(dataset, (PERIOD, INDICATOR, VALUE))
        if NUMBER not in dataset.headers and DEPARTMENT not in dataset.headers:
            raise ValidationError(
                _("The sheet needs a column %(number)s or %(department)s.")
                % {"number": NUMBER, "department": DEPARTMENT}
            )
        # Everything a row may name is read once, so the import runs a fixed number of queries.
        self._periods = {p.name: p for p in AppraisalPeriod.objects.select_related("system")}
        self._indicators = {(i.system_id, i.code): i for i in Indicator.objects.all()}
        self._employees = {
            number: (pk, number) for pk, number in Employee.objects.values_list("pk", "number")
        }
        self._departments = dict(Department.objects.values_list("code", "pk"))
        self._existing = {
            (v[0], v[1], v[2], v[3]): v[4]
            for v in IndicatorValue.objects.filter(
                period__in=[p for p in self._periods.values() if p.accepts_values]
            ).values_list("period_id", "indicator_id", "employee_id", "department_id", "pk")
        }

    @staticmethod
    def _text(row, column):
        value = row.get(column)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return "" if value is None else str(value).strip()

    def get_or_init_instance(self, instance_loader, row):
        errors = {}
        period_name = self._text(row, PERIOD)
        period = self._periods.get(period_name)
        indicator = employee_id = department_id = None
        if period is None:
            errors[PERIOD] = _("no appraisal period is called “%(name)s”") % {"name": period_name}
        elif not period.accepts_values:
            errors[PERIOD] = _("%(period)s is %(status)s and takes no more imported values") % {
                "period": period,
                "status": period.get_status_display(),
            }
        else:
            code = self._text(row, INDICATOR)
            indicator = self._indicators.get((period.system_id, code))
            if indicator is None:
                errors[INDICATOR] = _("%(system)s has no indicator with the code “%(code)s”") % {
                    "system": period.system,
                    "code": code,
                }
        if indicator is not None:
            number = self._text(row, NUMBER).upper()
            department_code = self._text(row, DEPARTMENT)
            if indicator.subject == Subject.EMPLOYEE:
                if not number:
                    errors[NUMBER] = _("%(indicator)s is set per employee; give the 工号") % {
                        "indicator": indicator
                    }
                elif number not in self._employees:
                    errors[NUMBER] = _("no employee has the number “%(number)s”") % {
                        "number": number
                    }
                else:
                    employee_id = self._employees[number][0]
            else:
                if not department_code:
                    errors[DEPARTMENT] = _(
                        "%(indicator)s is set per department; give the department code"
                    ) % {"indicator": indicator}
                elif department_code not in self._departments:
                    errors[DEPARTMENT] = _("no department has the code “%(code)s”") % {
                        "code": department_code
                    }
                else:
                    department_id = self._departments[department_code]
        if errors:
            raise ValidationError(errors)
        key = (period.pk, indicator.pk, employee_id, department_id)
        if key in self._seen:
            raise ValidationError(
                _("the same value appears again (first in row %(row)s)")
                % {"row": self._seen[key] + 1}
            )
        self._seen[key] = self._row_number
        existing_pk = self._existing.get(key)
        instance = IndicatorValue(
            pk=existing_pk,
            period=period,
            indicator=indicator,
            employee_id=employee_id,
            department_id=department_id,
        )
        return instance, existing_pk is None

    def import_row(self, row, instance_loader, **kwargs):
        self._row_number = kwargs.get("row_number", 0)
        return super().import_row(row, instance_loader, **kwargs)

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.column_name in (PERIOD, INDICATOR, NUMBER, DEPARTMENT):
            return  # resolved in get_or_init_instance
        super().import_field(field, instance, row, is_m2m=is_m2m, **kwargs)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        if "value" not in errors and instance.value is not None:
            problem = instance.indicator.value_error(instance.value)
            if problem:
                errors["value"] = [problem]
        if errors:
            raise ValidationError(errors)

    def save_instance(self, instance, is_create, row, **kwargs):
        self._pending.append(instance)

    def bulk_create(self, *args, **kwargs):
        self._flush()

    def bulk_update(self, *args, **kwargs):
        self._flush()

    def bulk_delete(self, *args, **kwargs):
        pass

    def _flush(self):
        by_period = defaultdict(list)
        for item in self._pending:
            by_period[item.period].append(
                (item.indicator, item.employee_id, item.department_id, item.value, item.note)
            )
        self._pending = []
        for period, rows in by_period.items():
            try:
                services.indicator_values_import(
                    period=period, rows=rows, acting_user=self.acting_user
                )
            except AppraisalError as error:
                raise ValidationError(str(error)) from error

    def get_export_headers(self, selected_fields=None):
        return [field.column_name for field in self.get_export_fields(selected_fields)]


class AppraisalResultResource(resources.ModelResource):
    """Export of appraisal results (results are calculated, never imported)."""

    period = fields.Field(attribute="period__name", column_name=PERIOD)
    number = fields.Field(attribute="employee__number", column_name=NUMBER)
    name = fields.Field(attribute="employee__name", column_name="姓名")
    department = fields.Field(attribute="department__name", column_name="部门")
    total_score = fields.Field(attribute="total_score", column_name="总分")
    grade = fields.Field(attribute="grade", column_name="等级")
    rank = fields.Field(attribute="rank_in_department", column_name="部门内排名")
    department_size = fields.Field(attribute="department_size", column_name="部门参评人数")
    bonus = fields.Field(attribute="bonus_coefficient", column_name="奖金系数")

    class Meta:
        model = AppraisalResult
        fields = (
            "period",
            "number",
            "name",
            "department",
            "total_score",
            "grade",
            "rank",
            "department_size",
            "bonus",
        )
        export_order = fields

    def __init__(self, acting_user=None, **kwargs):
        super().__init__(**kwargs)
        self.acting_user = acting_user

    def get_queryset(self):
        return AppraisalResult.objects.select_related("period", "employee", "department")

    def get_export_headers(self, selected_fields=None):
        return [field.column_name for field in self.get_export_fields(selected_fields)]
