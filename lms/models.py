"""Platform core: the organisation (departments, positions, employees) and the portal home page."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from .roles import Role, ScopedQuerySet
from .validators import limited, validate_phone


class ChangeStamped(models.Model):
    """Records that say when they last changed (``updated_at``), so that the API's incremental
    sync (``updated_since``) sees every change: a save limited to some fields stamps the time
    as well, which Django's ``auto_now`` alone would not. A queryset ``update()`` must set
    ``updated_at`` itself."""

    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    class Meta:
        abstract = True

    def save(self, *args, update_fields=None, **kwargs):
        if update_fields is not None:
            update_fields = {*update_fields, "updated_at"}
        super().save(*args, update_fields=update_fields, **kwargs)


class DepartmentQuerySet(MP_NodeQuerySet):
    def subtree_of(self, department):
        """The department and every department below it."""
        return self.filter(path__startswith=department.path)


class DepartmentManager(MP_NodeManager):
    def get_queryset(self):
        return DepartmentQuerySet(self.model, using=self._db).order_by("path")

    def subtree_of(self, department):
        return self.get_queryset().subtree_of(department)


class Department(MP_Node):
    """A unit of the company: the company itself, a branch, a station or a team."""

    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        BRANCH = "branch", _("Branch")
        OFFICE = "office", _("Functional office")
        STATION = "station", _("Power supply station")
        TEAM = "team", _("Team")

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(pgettext_lazy("lms", "name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.TEAM)
    manager = models.ForeignKey(
        "lms.Employee",
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_departments",
        help_text=_("The head of the department; managers see their department's subtree."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    node_order_by = ["code"]
    objects = DepartmentManager()

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self):
        return self.name

    @property
    def parent_department(self):
        return self.get_parent()


class Position(models.Model):
    """A post (岗位) that employees hold; training and qualification rules attach to it."""

    class Category(models.TextChoices):
        MANAGEMENT = "management", _("Management")
        PROFESSIONAL = "professional", _("Professional and technical")
        SKILLED = "skilled", _("Skilled operation")
        SERVICE = "service", _("Customer service")

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(pgettext_lazy("lms", "name"), max_length=100)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    description = models.TextField(pgettext_lazy("lms", "description"), blank=True, **limited(2000))
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    panels = [
        FieldPanel("code"),
        FieldPanel("name"),
        FieldPanel("category"),
        FieldPanel("description"),
    ]

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["code"]

    def __str__(self):
        return self.name


class EmployeeQuerySet(ScopedQuerySet):
    employee_field = ""
    # HR keeps personnel records; trainers and drill coordinators need the directory to enrol
    # people and assign drill roles.
    full_access_roles = frozenset({Role.HR, Role.TRAINER, Role.COORDINATOR})

    def active(self):
        return self.filter(status=Employee.Status.ACTIVE)

    def in_department(self, department):
        """Employees of the department and of every department below it."""
        return self.filter(department__path__startswith=department.path)

    def with_org(self):
        return self.select_related("department", "position", "user")


class Employee(index.Indexed, models.Model):
    """The person behind a user account: employee number (工号), post and department."""

    class Status(models.TextChoices):
        ACTIVE = "active", pgettext_lazy("lms", "Active")
        ON_LEAVE = "on_leave", _("On leave")
        LEFT = "left", _("Left")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.PROTECT,
        related_name="employee",
    )
    number = models.CharField(_("employee number"), max_length=32, unique=True)
    name = models.CharField(pgettext_lazy("lms", "name"), max_length=50)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="employees"
    )
    position = models.ForeignKey(
        Position, verbose_name=_("position"), on_delete=models.PROTECT, related_name="employees"
    )
    hire_date = models.DateField(_("hire date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True, validators=[validate_phone])
    email = models.EmailField(_("e-mail"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = EmployeeQuerySet.as_manager()

    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.SearchField("number"),
        index.FilterField("status"),
    ]

    class Meta:
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        ordering = ["number"]
        indexes = [
            models.Index(fields=["department", "status"]),
            models.Index(fields=["updated_at", "id"], name="lms_employee_updated"),
        ]

    def __str__(self):
        return f"{self.name} ({self.number})"

    @property
    def is_active(self):
        return self.status == self.Status.ACTIVE


class AbsenceQuerySet(ScopedQuerySet):
    # HR keeps the personnel record; managers see their subtree, employees their own.
    full_access_roles = frozenset({Role.HR})

    def for_employees(self, employee_ids):
        return self.filter(employee_id__in=employee_ids)


class Absence(models.Model):
    """A period away from the post (long leave, sick leave, secondment, full-time study).

    Qualification rules read these: after a long enough absence an employee must pass again
    before returning to duty. ``end_date`` stays empty while the employee is still away.
    """

    class Kind(models.TextChoices):
        LEAVE = "leave", _("Leave")
        SICK_LEAVE = "sick_leave", _("Sick leave")
        SECONDMENT = "secondment", _("Secondment")
        STUDY = "study", _("Full-time study")
        OTHER = "other", _("Other")

    employee = models.ForeignKey(
        Employee, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="absences"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.LEAVE)
    start_date = models.DateField(_("left the post on"))
    end_date = models.DateField(
        _("returned on"), null=True, blank=True, help_text=_("Leave empty while still away.")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = AbsenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("absence from the post")
        verbose_name_plural = _("absences from the post")
        ordering = ["-start_date"]
        indexes = [models.Index(fields=["employee", "start_date"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="lms_absence_ends_after_start",
            )
        ]

    def __str__(self):
        return f"{self.employee} {self.get_kind_display()} {self.start_date:%Y-%m-%d}"

    def clean(self):
        if self.end_date and self.end_date < self.start_date:
            raise ValidationError(
                {"end_date": _("The return date cannot be before the date the employee left.")}
            )
        if self.employee_id:
            overlapping = Absence.objects.filter(employee_id=self.employee_id).exclude(pk=self.pk)
            if self.end_date:
                overlapping = overlapping.filter(start_date__lte=self.end_date)
            overlapping = overlapping.filter(
                models.Q(end_date__isnull=True) | models.Q(end_date__gte=self.start_date)
            )
            if overlapping.exists():
                raise ValidationError(
                    _("This period overlaps another absence recorded for the employee.")
                )


class HomePage(Page):
    """The site root: the portal for signed-in employees, a welcome for everyone else."""

    intro = RichTextField(_("welcome text"), blank=True, **limited(20000, rich=True))
    notice = RichTextField(
        _("notice"),
        blank=True,
        help_text=_("Shown at the top of every employee's portal."),
        **limited(5000, rich=True),
    )

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("notice")]
    search_fields = Page.search_fields + [index.SearchField("intro")]
    parent_page_types = ["wagtailcore.Page"]
    # No subpage_types: lms may not name the domain apps' pages (imports point one way), so
    # each domain index page restricts itself with parent_page_types = ["lms.HomePage"].
    max_count = 1
    template = "lms/home_page.html"

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        from .portal import portal_home_context

        context = super().get_context(request, *args, **kwargs)
        context.update(portal_home_context(request))
        return context


class ScheduledJobRun(models.Model):
    """When a scheduled job (``lms.scheduling``) was last enqueued."""

    name = models.CharField(_("job"), max_length=100, unique=True)
    last_enqueued_at = models.DateTimeField(_("last enqueued"), null=True, blank=True)

    class Meta:
        verbose_name = _("scheduled job run")
        verbose_name_plural = _("scheduled job runs")

    def __str__(self):
        return self.name


class UserSession(models.Model):
    """Which session belongs to which account, so that all of a person's sessions can be ended
    at once (whatever the session engine: database or cache)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tracked_sessions"
    )
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("signed-in session")
        verbose_name_plural = _("signed-in sessions")

    def __str__(self):
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M}"


class DirectoryAccount(models.Model):
    """How an account signs in when the company directory or an OpenID provider owns it.

    Created on the first directory or single sign-on sign-in (or by the directory sync), one
    per account and source; the sync deactivates exactly the accounts recorded here for the
    directory that it no longer lists, and an OpenID provider's back-channel logout finds the
    account by ``subject``.
    """

    class Source(models.TextChoices):
        LDAP = "ldap", _("Directory (LDAP / Active Directory)")
        OIDC = "oidc", _("Single sign-on (OpenID Connect)")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.CASCADE,
        related_name="directory_accounts",
    )
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    # The directory entry's DN, or the OpenID provider's ``sub`` claim.
    subject = models.CharField(_("directory identity"), max_length=500)
    synced_at = models.DateTimeField(_("last synchronised"))

    class Meta:
        verbose_name = _("directory account")
        verbose_name_plural = _("directory accounts")
        indexes = [models.Index(fields=["source", "subject"])]
        constraints = [
            models.UniqueConstraint(fields=["user", "source"], name="directory_account_per_source")
        ]

    def __str__(self):
        return f"{self.get_source_display()}: {self.subject}"


class BackgroundJobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A person sees the jobs they started; HR and superusers see every job."""
        from .roles import Role, has_role

        if not user.is_authenticated or not user.is_active:
            return self.none()
        if has_role(user, Role.HR):
            return self
        return self.filter(owner=user)


class BackgroundJob(models.Model):
    """One run of a long job (``lms.jobs``): who asked, how far it got, what went wrong, and the
    file it produced (kept through the storage API, so it may live on S3)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=100, db_index=True)
    title = models.CharField(pgettext_lazy("lms", "title"), max_length=255, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    # The language the job reports in: its owner's when it was started.
    language = models.CharField(_("language"), max_length=16, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    done = models.PositiveIntegerField(_("done"), default=0)
    total = models.PositiveIntegerField(_("total"), default=0)
    message = models.TextField(_("outcome"), blank=True, **limited(2000))
    error = models.TextField(_("error"), blank=True, **limited(20000))
    result = models.FileField(_("result"), upload_to="jobs/%Y/%m/", max_length=255, blank=True)
    result_name = models.CharField(_("result file name"), max_length=255, blank=True)
    task_id = models.CharField(_("task id"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = BackgroundJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="lms_job_owner_created")]

    def __str__(self):
        return self.title or str(self.kind_label)

    @property
    def kind_label(self):
        from .jobs import job_kind_label

        return job_kind_label(self.kind)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(100, round(100 * self.done / self.total)) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class HrSyncRunQuerySet(models.QuerySet):
    def visible_to(self, user):
        """HR's (and superusers')."""
        from .roles import Role, has_role

        if not user.is_authenticated or not user.is_active or not has_role(user, Role.HR):
            return self.none()
        return self


class HrSyncRun(models.Model):
    """One staff file from the HR system (``lms.hr_sync``): what applying it would change,
    worked out by a dry run, and whether HR applied it."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Waiting for HR")
        APPLIED = "applied", _("Applied")
        REFUSED = "refused", _("Refused")
        SUPERSEDED = "superseded", _("Superseded by a newer file")

    file = models.FileField(_("file"), upload_to="hr-sync/%Y/%m/", max_length=255)
    file_name = models.CharField(_("file name"), max_length=255)
    source = models.CharField(pgettext_lazy("lms", "source"), max_length=500)
    checksum = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PROPOSED
    )
    deactivate_missing = models.BooleanField(_("leavers marked as left"), default=True)
    # Employee numbers by change: {"created": [...], "updated": [...], "deactivated": [...]}.
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    problems = models.JSONField(_("problems"), default=list, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    applied_at = models.DateTimeField(_("applied"), null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applied by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = HrSyncRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("HR staff file")
        verbose_name_plural = _("HR staff files")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.file_name} · {self.created_at:%Y-%m-%d %H:%M}"

    def count(self, kind: str) -> int:
        return len(self.changes.get(kind, []))
