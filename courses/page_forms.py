"""Edit forms of the training pages in Wagtail."""

from wagtail.admin.forms import WagtailAdminPageForm

from lms.widgets import prefetch_chosen, share_choices


class TrainingPlanPageForm(WagtailAdminPageForm):
    """A plan's items offer the same positions and departments, read once for all items, and
    their chosen courses and trainers are read in one query each."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        items = self.formsets.get("items")
        if items is not None:
            share_choices(items.forms, "target_positions", "target_departments")
            from lms.models import Employee

            from .models import CoursePage

            prefetch_chosen(items.forms, "course", CoursePage.objects.all())
            prefetch_chosen(items.forms, "trainer", Employee.objects.all())
