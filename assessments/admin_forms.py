"""The exam's edit form in Wagtail (``Exam.base_form_class``)."""

from wagtail.admin.forms import WagtailAdminModelForm


class ExamAdminForm(WagtailAdminModelForm):
    """Every assembly rule, and the blank one a new rule starts from, offers the categories with
    their paths (安全规程/电气安全): read in one query for all of them, where each rule's
    drop-down read each category's ancestors (one query per category and rule)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        rules = self.formsets.get("rules")
        if rules is None:
            return
        from .models import QuestionCategory

        field = rules.form.base_fields["category"]
        paths = QuestionCategory.objects.all().full_paths()
        choices = [("", field.empty_label)] if field.empty_label is not None else []
        choices += [(pk, paths[pk]) for pk in field.queryset.values_list("pk", flat=True)]

        class RuleForm(rules.form):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self.fields["category"].choices = choices

        rules.form = RuleForm
        for form in rules.forms:
            form.fields["category"].choices = choices
