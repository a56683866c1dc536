"""The question chooser: an exam's fixed questions are picked from the bank by a search, not
from a drop-down of every question (2,140 of them rendered for each fixed question with the demo
×10). For those who keep the bank and build exams (lms.choosers)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.admin.ui.tables import Column

from lms.choosers import RoleChooserViewSet
from lms.roles import Role


class QuestionChooserViewSet(RoleChooserViewSet):
    model = "assessments.Question"
    icon = "help"
    roles = (Role.TRAINER,)
    choose_one_text = _("Choose a question")
    choose_another_text = _("Choose another question")
    edit_item_text = _("Edit question")
    search_lookups = ("stem", "name", "category__name")
    title_label = _("question")
    extra_columns = (
        Column("type", label=_("type"), accessor="get_type_display"),
        Column(
            "category", label=pgettext_lazy("assessments", "category"), accessor="category.name"
        ),
    )

    def get_queryset(self):
        from .models import Question

        return Question.objects.filter(is_active=True).select_related("category").order_by("-pk")


question_chooser_viewset = QuestionChooserViewSet("question_chooser", url_prefix="choose/question")
