"""Validators every free-text field carries, so that a service's ``full_clean()`` refuses what
the database cannot or should not store (PostgreSQL refuses NUL in text with a server error)."""

from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator


def text_limits(max_length: int) -> list:
    """A TextField's validators: at most ``max_length`` characters, no NUL."""
    return [MaxLengthValidator(max_length), ProhibitNullCharactersValidator()]


NO_NUL = [ProhibitNullCharactersValidator()]
