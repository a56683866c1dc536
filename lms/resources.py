"""Employee import and export (XLSX and CSV) through django-import-export.

Upsert by employee number; departments and positions matched by code. Column names are the
Chinese ones HR uses (工号, 姓名, …); the English field names are accepted as well. New employees
and their accounts are written in bulk by ``services.employees_bulk_create``.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources
from import_export.instance_loaders import CachedInstanceLoader

from . import services
from .importing import (
    ChoiceWidget,
    CodeWidget,
    FlexibleDateWidget,
    TextWidget,
    require_columns,
    sheet_row,
)
from .models import Department, Employee, Position

STATUS_EXPORT_LABELS = {
    Employee.Status.ACTIVE: "在职",
    Employee.Status.ON_LEAVE: "休假",
    Employee.Status.LEFT: "离职",
}
STATUS_ALIASES = {
    "在职": Employee.Status.ACTIVE,
    "在岗": Employee.Status.ACTIVE,
    "休假": Employee.Status.ON_LEAVE,
    "离岗": Employee.Status.ON_LEAVE,
    "离职": Employee.Status.LEFT,
    "on leave": Employee.Status.ON_LEAVE,
}

COLUMN_ALIASES = {
    "number": "工号",
    "employee number": "工号",
    "name": "姓名",
    "department": "部门编码",
    "department code": "部门编码",
    "department_code": "部门编码",
    "position": "岗位编码",
    "position code": "岗位编码",
    "position_code": "岗位编码",
    "hire date": "入职日期",
    "hire_date": "入职日期",
    "status": "状态",
    "phone": "手机",
    "email": "邮箱",
    "e-mail": "邮箱",
}
REQUIRED_COLUMNS = ("工号", "姓名", "部门编码", "岗位编码")


class EmployeeResource(resources.ModelResource):
    number = fields.Field(attribute="number", column_name="工号", widget=TextWidget())
    name = fields.Field(attribute="name", column_name="姓名", widget=TextWidget())
    department = fields.Field(
        attribute="department", column_name="部门编码", widget=CodeWidget(Department)
    )
    department_name = fields.Field(attribute="department__name", column_name="部门", readonly=True)
    position = fields.Field(
        attribute="position", column_name="岗位编码", widget=CodeWidget(Position)
    )
    position_name = fields.Field(attribute="position__name", column_name="岗位", readonly=True)
    hire_date = fields.Field(
        attribute="hire_date", column_name="入职日期", widget=FlexibleDateWidget()
    )
    status = fields.Field(
        attribute="status",
        column_name="状态",
        widget=ChoiceWidget(
            Employee.Status.choices, aliases=STATUS_ALIASES, export_labels=STATUS_EXPORT_LABELS
        ),
    )
    phone = fields.Field(attribute="phone", column_name="手机", widget=TextWidget())
    email = fields.Field(attribute="email", column_name="邮箱", widget=TextWidget())

    class Meta:
        model = Employee
        import_id_fields = ["number"]
        fields = (
            "number",
            "name",
            "department",
            "department_name",
            "position",
            "position_name",
            "hire_date",
            "status",
            "phone",
            "email",
        )
        instance_loader_class = CachedInstanceLoader
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_bulk = True
        batch_size = 1000
        skip_html_diff = True

    def __init__(self, *, acting_user=None, **kwargs):
        super().__init__(**kwargs)
        self.acting_user = acting_user

    def get_queryset(self):
        return Employee.objects.with_org()

    def get_export_fields(self, selected_fields=None):
        """Only the columns the exporting user may see (personal data for HR alone)."""
        fields_ = super().get_export_fields(selected_fields)
        if self.acting_user is None:
            return fields_
        from .personal import listing_fields

        visible = listing_fields(self.acting_user)
        return [field for field in fields_ if field.attribute.split("__")[0] in visible]

    # Import -----------------------------------------------------------------------------

    def before_import(self, dataset, **kwargs):
        dataset.headers = [
            COLUMN_ALIASES.get(str(header).strip().lower(), str(header).strip())
            for header in dataset.headers
        ]
        require_columns(dataset, REQUIRED_COLUMNS)
        self._seen_numbers = {}
        # How the rows are numbered for people (spreadsheet rows, or places in an API list).
        self._row_labels = getattr(dataset, "row_labels", None)
        numbers = {
            services.normalise_employee_number(str(v))
            for v in dataset["工号"]
            if v not in (None, "")
        }
        # Usernames held by accounts that are not employees (e.g. an administrator).
        self._taken_usernames = services.usernames_without_employee(numbers)
        self.acting_user = kwargs.get("user") or self.acting_user

    def before_import_row(self, row, **kwargs):
        raw = row.get("工号")
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        number = services.normalise_employee_number(str(raw or ""))
        row["工号"] = number
        if not number:
            raise ValidationError({"number": _("the employee number is missing")})
        first = self._seen_numbers.setdefault(number, kwargs.get("row_number"))
        if first != kwargs.get("row_number"):
            raise ValidationError(
                {
                    "number": _("employee number %(number)s appears again (first in row %(row)s)")
                    % {"number": number, "row": self._row_label(first)}
                }
            )
        if number in self._taken_usernames:
            raise ValidationError(
                {
                    "number": _(
                        "%(number)s is the sign-in name of an account that is not an employee"
                    )
                    % {"number": number}
                }
            )

    def _row_label(self, number):
        labels = self._row_labels
        if labels and 0 < number <= len(labels):
            return labels[number - 1]
        return sheet_row(number)

    def init_instance(self, row=None):
        return Employee(status=Employee.Status.ACTIVE)

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        # Blank optional cells keep what is stored (status defaults to active for new rows).
        if field.attribute in ("status", "hire_date", "phone", "email") and row.get(
            field.column_name
        ) in (None, ""):
            return
        super().import_field(field, instance, row, is_m2m=is_m2m, **kwargs)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        # The user account is made when the row is saved; the number's uniqueness is checked
        # against the database by the instance loader and within the file by before_import_row.
        # Department and position were resolved from codes already known to exist, so their
        # per-row existence queries are skipped; an empty one is still reported as missing.
        errors = dict(import_validation_errors or {})
        resolved = [name for name in ("department", "position") if getattr(instance, f"{name}_id")]
        try:
            instance.full_clean(exclude=[*errors, "user", *resolved], validate_unique=False)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if self.create_instances and (using_transactions or not dry_run):
            try:
                services.employees_bulk_create(
                    employees=self.create_instances, acting_user=self.acting_user
                )
            except Exception as error:
                self.handle_import_error(result, error, raise_errors)
            finally:
                self.create_instances.clear()

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if self.update_instances and (using_transactions or not dry_run):
            try:
                services.employees_bulk_update(
                    employees=self.update_instances,
                    fields=[
                        f.attribute for f in self.get_import_fields() if f.attribute != "number"
                    ],
                    acting_user=self.acting_user,
                )
            except Exception as error:
                self.handle_import_error(result, error, raise_errors)
            finally:
                self.update_instances.clear()

    def get_import_fields(self):
        return [field for field in super().get_import_fields() if not field.readonly]
