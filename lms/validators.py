"""Validators every free-text field carries, so that a service's ``full_clean()`` refuses what
the database cannot or should not store (PostgreSQL refuses NUL in text with a server error),
and the phone number's."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _

NO_NUL = [ProhibitNullCharactersValidator()]


# A mainland mobile number (11 digits from 13…–19…, grouped 3-4-4 or not, with or without +86)
# or a landline number with its area code (010-12345678, (0755) 1234 5678, 0571-87654321转808).
_MOBILE = r"(?:(?:\+|00)?86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}"
_LANDLINE = (
    r"(?:\(0\d{2,3}\)|0\d{2,3})[\s-]?\d{3,4}[\s-]?\d{4}"  # area code and number
    r"(?:\s?(?:转|-|ext\.?\s?|x)\s?\d{1,6})?"  # an extension
)
_PHONE = re.compile(rf"(?:{_MOBILE}|{_LANDLINE})", re.IGNORECASE)


def validate_phone(value: str):
    """A Chinese mobile or landline number, as people write them."""
    if value and not _PHONE.fullmatch(value.strip()):
        raise ValidationError(
            _(
                "“%(value)s” is not a phone number: enter a mobile number (11 digits beginning "
                "with 1, such as 138 0013 8000) or a landline number with its area code (such "
                "as 010-12345678)."
            ),
            code="invalid_phone",
            params={"value": value[:40]},
        )


def limited(max_length: int, *, rich: bool = False) -> dict:
    """A TextField's (or a RichTextField's, ``rich``) length limit: ``max_length`` for its form
    and textarea, and validators that hold in ``full_clean()`` too (rich text counts its text,
    not its tags, as Wagtail's own form does), with no NUL. ``models.TextField(…,
    **limited(2000))``; tests/lms/test_text_limits.py fails on a free-text field without one."""
    from wagtail.rich_text import RichTextMaxLengthValidator

    limit = RichTextMaxLengthValidator(max_length) if rich else MaxLengthValidator(max_length)
    return {"max_length": max_length, "validators": [limit, ProhibitNullCharactersValidator()]}
