"""Spreadsheets: external training records in; completions, sessions with attendance and the
training plan out. Column names are the Chinese ones the training office uses."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from lms.importing import CodeWidget, FlexibleDateWidget, TextWidget, require_columns
from lms.models import Employee

from . import services
from .models import Completion, CoursePage, Enrollment, PlanItem

COMPLETION_ALIASES = {
    "number": "工号",
    "employee number": "工号",
    "course": "课程编码",
    "course code": "课程编码",
    "date": "完成日期",
    "completed on": "完成日期",
    "hours": "学时",
    "credits": "学分",
    "provider": "培训机构",
    "note": "备注",
}
REQUIRED_COMPLETION_COLUMNS = ("工号", "课程编码", "完成日期")


class EmployeeNumberWidget(CodeWidget):
    def __init__(self):
        super().__init__(Employee, field="number")

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            raise ValueError(_("the employee number is missing"))
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        number = str(value).strip().upper()
        try:
            return super().clean(number, row, **kwargs)
        except ValueError:
            raise ValueError(
                _("no employee has the number “%(number)s”") % {"number": number}
            ) from None


class CourseCodeWidget(CodeWidget):
    def __init__(self):
        super().__init__(CoursePage, field="code")

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            raise ValueError(_("the course code is missing"))
        try:
            return super().clean(value, row, **kwargs)
        except ValueError:
            raise ValueError(
                _("no course has the code “%(code)s”") % {"code": str(value).strip()}
            ) from None


class OptionalDecimalWidget(widgets.DecimalWidget):
    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        try:
            return super().clean(value, row, **kwargs)
        except Exception:
            raise ValueError(_("“%(value)s” is not a number") % {"value": value}) from None


class CompletionResource(resources.ModelResource):
    """External training records in (always new rows), every completion out."""

    employee = fields.Field(attribute="employee", column_name="工号", widget=EmployeeNumberWidget())
    employee_name = fields.Field(attribute="employee__name", column_name="姓名", readonly=True)
    department = fields.Field(
        attribute="employee__department__name", column_name="部门", readonly=True
    )
    course = fields.Field(attribute="course", column_name="课程编码", widget=CourseCodeWidget())
    course_title = fields.Field(attribute="course__title", column_name="课程", readonly=True)
    completed_on = fields.Field(
        attribute="completed_on", column_name="完成日期", widget=FlexibleDateWidget()
    )
    hours = fields.Field(attribute="hours", column_name="学时", widget=OptionalDecimalWidget())
    credits = fields.Field(attribute="credits", column_name="学分", widget=OptionalDecimalWidget())
    source = fields.Field(attribute="get_source_display", column_name="来源", readonly=True)
    provider = fields.Field(attribute="provider", column_name="培训机构", widget=TextWidget())
    note = fields.Field(attribute="note", column_name="备注", widget=TextWidget())

    class Meta:
        model = Completion
        fields = (
            "employee",
            "employee_name",
            "department",
            "course",
            "course_title",
            "completed_on",
            "hours",
            "credits",
            "source",
            "provider",
            "note",
        )
        clean_model_instances = True
        skip_diff = True

    def __init__(self, *, acting_user=None, **kwargs):
        super().__init__(**kwargs)
        self.acting_user = acting_user

    def get_queryset(self):
        # "Completions by department": grouped by the department tree, then by person.
        return Completion.objects.select_related("employee__department", "course").order_by(
            "employee__department__path", "employee__number", "-completed_on"
        )

    def get_import_fields(self):
        return [field for field in super().get_import_fields() if not field.readonly]

    def before_import(self, dataset, **kwargs):
        dataset.headers = [
            COMPLETION_ALIASES.get(str(h).strip().lower(), str(h).strip()) for h in dataset.headers
        ]
        require_columns(dataset, REQUIRED_COMPLETION_COLUMNS)
        self.acting_user = kwargs.get("user") or self.acting_user

    def get_instance(self, instance_loader, row):
        return None  # every row is a new record

    def init_instance(self, row=None):
        return Completion(source=Completion.Source.EXTERNAL)

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.attribute in ("hours", "credits") and row.get(field.column_name) in (None, ""):
            return  # filled from the course below
        super().import_field(field, instance, row, is_m2m=is_m2m, **kwargs)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        course = getattr(instance, "course", None) if instance.course_id else None
        if course is not None:
            if instance.hours is None:
                instance.hours = course.hours
            if instance.credits is None:
                instance.credits = course.credits
        if instance.completed_on and instance.completed_on > timezone.localdate():
            errors.setdefault("completed_on", []).append(
                _("a completion cannot be dated in the future")
            )
        try:
            instance.full_clean(exclude=[*errors, "employee", "course"], validate_unique=False)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def do_instance_save(self, instance, is_create):
        services.completions_import(completions=[instance], acting_user=self.acting_user)


ATTENDANCE_LABELS = {True: "出勤", False: "缺勤", None: "未记录"}


class SessionAttendanceResource(resources.ModelResource):
    """One row per enrolment: the session, the person and whether they attended."""

    session = fields.Field(attribute="session__display_title", column_name="培训班")
    course_code = fields.Field(attribute="session__course__code", column_name="课程编码")
    starts_at = fields.Field(column_name="开始时间")
    location = fields.Field(attribute="session__location", column_name="地点")
    trainer = fields.Field(attribute="session__trainer__name", column_name="培训师")
    number = fields.Field(attribute="employee__number", column_name="工号")
    name = fields.Field(attribute="employee__name", column_name="姓名")
    department = fields.Field(attribute="employee__department__name", column_name="部门")
    source = fields.Field(attribute="get_source_display", column_name="报名方式")
    attended = fields.Field(column_name="出勤")

    class Meta:
        model = Enrollment
        fields = (
            "session",
            "course_code",
            "starts_at",
            "location",
            "trainer",
            "number",
            "name",
            "department",
            "source",
            "attended",
        )

    def __init__(self, *, acting_user=None, **kwargs):
        super().__init__(**kwargs)
        self.acting_user = acting_user

    def get_queryset(self):
        from django.db.models import OuterRef, Subquery

        from .models import Attendance

        present = Attendance.objects.filter(
            session_id=OuterRef("session_id"), employee_id=OuterRef("employee_id")
        ).values("present")[:1]
        return (
            Enrollment.objects.select_related(
                "session__course", "session__trainer", "employee__department"
            )
            .annotate(attended=Subquery(present))
            .order_by("-session__starts_at", "employee__number")
        )

    def dehydrate_starts_at(self, enrollment):
        return timezone.localtime(enrollment.session.starts_at).strftime("%Y-%m-%d %H:%M")

    def dehydrate_attended(self, enrollment):
        return ATTENDANCE_LABELS[getattr(enrollment, "attended", None)]


class PlanItemResource(resources.ModelResource):
    plan = fields.Field(attribute="plan__title", column_name="培训计划")
    year = fields.Field(attribute="plan__year", column_name="年度")
    month = fields.Field(attribute="planned_month", column_name="计划月份")
    title = fields.Field(attribute="title", column_name="培训内容")
    course = fields.Field(attribute="course__code", column_name="课程编码")
    method = fields.Field(attribute="get_method_display", column_name="培训方式")
    positions = fields.Field(column_name="培训对象（岗位）")
    departments = fields.Field(column_name="培训对象（部门）")
    hours = fields.Field(attribute="hours", column_name="学时")
    trainer = fields.Field(attribute="trainer__name", column_name="培训师")
    budget = fields.Field(attribute="budget", column_name="预算（元）")

    class Meta:
        model = PlanItem
        fields = (
            "plan",
            "year",
            "month",
            "title",
            "course",
            "method",
            "positions",
            "departments",
            "hours",
            "trainer",
            "budget",
        )

    def get_queryset(self):
        return (
            PlanItem.objects.select_related("plan", "course", "trainer")
            .prefetch_related("target_positions", "target_departments")
            .order_by("planned_month", "sort_order")
        )

    def dehydrate_positions(self, item):
        return "、".join(p.name for p in item.target_positions.all())

    def dehydrate_departments(self, item):
        return "、".join(d.name for d in item.target_departments.all())
