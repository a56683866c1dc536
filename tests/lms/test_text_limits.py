"""Every free-text field has a length limit (issue #14, 8: a 100,000-character note was stored).

The walk covers every model field of our apps that holds free text, the ones inherited from
Wagtail's abstract models included (a questionnaire field's choices): a CharField has its
``max_length``; a TextField (rich text too) has ``max_length`` for its form and textarea and a
MaxLengthValidator, so that a service's ``full_clean()`` refuses what the form would. Fields of
Wagtail's own concrete tables (a page's search description) are Wagtail's; structured values
(JSON, StreamField) are not free text."""

import pytest
from django.apps import apps
from django.core.validators import MaxLengthValidator
from django.db import models

OUR_APPS = {"lms", "courses", "assessments", "drills", "careers"}


def free_text_fields():
    for model in apps.get_models():
        if model._meta.app_label not in OUR_APPS or model._meta.proxy:
            continue
        for field in model._meta.concrete_fields:
            if field.model._meta.app_label not in OUR_APPS:
                continue  # a column of Wagtail's own table (Page.search_description …)
            if isinstance(field, models.CharField | models.TextField):
                yield f"{model._meta.label}.{field.name}", field


def test_every_free_text_field_has_a_length_limit():
    checked, unlimited = 0, []
    for name, field in free_text_fields():
        checked += 1
        limits = [v.limit_value for v in field.validators if isinstance(v, MaxLengthValidator)]
        if not field.max_length:
            unlimited.append(f"{name} (no max_length)")
        elif isinstance(field, models.TextField) and field.max_length not in limits:
            unlimited.append(f"{name} (max_length not enforced by a validator)")
    assert checked > 150, checked  # the walk really walks
    assert unlimited == [], "free text without a length limit: " + ", ".join(unlimited)


@pytest.mark.django_db
def test_a_100000_character_text_is_refused_by_the_model_and_the_form(people):
    """What the finding stored: now ``full_clean()`` and the admin form both refuse it."""
    from django.core.exceptions import ValidationError
    from django.forms import modelform_factory

    from lms.models import Position

    position = Position(code="P-LONG", name="岗位", description="x" * 100_000)
    with pytest.raises(ValidationError) as refused:
        position.full_clean()
    assert "description" in refused.value.message_dict
    form = modelform_factory(Position, fields=["code", "name", "description"])(
        {"code": "P-LONG", "name": "岗位", "description": "x" * 100_000}
    )
    assert not form.is_valid() and "description" in form.errors
    assert 'maxlength="2000"' in str(form["description"])
