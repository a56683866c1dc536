from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.admin.forms.models import WagtailAdminModelForm

from . import answers
from .models import Question, QuestionCategory
from .models.questions import CHOICE_TYPES, LETTERS


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return "— " * (obj.depth - 1) + obj.name


class QuestionCategoryForm(WagtailAdminModelForm):
    parent = CategoryChoiceField(
        label=_("parent category"), queryset=QuestionCategory.objects.all(), required=False
    )

    class Meta:
        model = QuestionCategory
        fields = ["name", "confidential"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        if self.instance.pk:
            self.fields["parent"].disabled = True
            self.fields["parent"].initial = self.instance.get_parent()


class QuestionForm(WagtailAdminModelForm):
    """The options, answer and knowledge points are typed as the spreadsheet writes them."""

    category = CategoryChoiceField(
        label=pgettext_lazy("assessments", "category"), queryset=QuestionCategory.objects.all()
    )
    answer_text = forms.CharField(
        label=pgettext_lazy("assessments", "answer"),
        required=False,
        help_text=_(
            "Letters for choices (A or ABD); 对 or 错 for true/false; for fill-in, one answer per "
            "blank separated by | with alternatives separated by /; keywords for a short answer "
            "(empty: graded by hand); for a number, 3.14±0.01 or 3.1..3.2, several separated by "
            "| each worth (50%) if not all, units last as 单位:m=1,cm=100; for matching, "
            "prompt->choice pairs separated by | (->choice alone: a distractor); nothing for "
            "a description."
        ),
    )
    weights_text = forms.CharField(
        label=_("option weights"),
        required=False,
        help_text=_(
            "Choices only, optional: the percentage each option earns, such as 100|50|0 or "
            "50|50|-100 (negative takes points away). Empty: the right options earn everything."
        ),
    )
    knowledge_text = forms.CharField(
        label=_("knowledge points"), required=False, help_text=_("Separated by commas.")
    )

    class Meta:
        model = Question
        fields = [
            "category",
            "type",
            "name",
            "stem",
            "explanation",
            "difficulty",
            "points",
            "is_active",
        ]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        instance = self.instance
        options = list(instance.options or []) if instance.pk else []
        for index, letter in enumerate(LETTERS):
            self.fields[f"option_{letter}"] = forms.CharField(
                label=_("option %(letter)s") % {"letter": letter},
                required=False,
                initial=options[index] if index < len(options) else "",
            )
        if instance.pk:
            self.fields["answer_text"].initial = answers.render_answer(
                instance.type, instance.answer
            )
            self.fields["knowledge_text"].initial = ",".join(instance.knowledge_points or [])
            self.fields["weights_text"].initial = "|".join(instance.weights or [])

    def clean(self):
        data = super().clean()
        question_type = data.get("type")
        options = [data.get(f"option_{letter}", "").strip() for letter in LETTERS]
        while options and not options[-1]:
            options.pop()
        data["options"] = options if question_type in CHOICE_TYPES else []
        if question_type:
            try:
                data["answer"] = answers.parse_answer(
                    question_type, data.get("answer_text"), len(options)
                )
            except ValueError as error:
                self.add_error("answer_text", str(error))
        data["knowledge_points"] = answers.parse_knowledge_points(data.get("knowledge_text"))
        try:
            data["weights"] = answers.parse_weights(data.get("weights_text"))
        except ValueError as error:
            self.add_error("weights_text", str(error))
        return data

    def question_fields(self) -> dict:
        """What the question services take: their content fields (feedback is edited in the
        question files, not on this form) and whether the question is in use."""
        from .services.bank import QUESTION_CONTENT_FIELDS

        data = self.cleaned_data
        names = [name for name in QUESTION_CONTENT_FIELDS if name != "feedback"]
        return {name: data[name] for name in (*names, "is_active")}

    def _post_clean(self):
        data = self.cleaned_data
        for name in ("options", "answer", "knowledge_points", "weights"):
            if name in data:
                setattr(self.instance, name, data[name])
        super()._post_clean()

    def _update_errors(self, errors):
        # The model names its JSON fields; the form shows them as option and answer boxes.
        mapping = {
            "options": "option_A",
            "answer": "answer_text",
            "knowledge_points": None,
            "weights": "weights_text",
        }
        if hasattr(errors, "error_dict"):
            remapped = {}
            for field, messages in errors.error_dict.items():
                remapped.setdefault(mapping.get(field, field), []).extend(messages)
            errors = ValidationError(
                {(k if k is not None else "__all__"): v for k, v in remapped.items()}
            )
        super()._update_errors(errors)


class GradeForm(forms.Form):
    score = forms.DecimalField(
        label=pgettext_lazy("assessments", "score"), min_value=0, decimal_places=2
    )
    comment = forms.CharField(
        label=pgettext_lazy("assessments", "comment"), required=False, widget=forms.Textarea
    )
