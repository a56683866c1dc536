from django.core.exceptions import ValidationError

from lms.exceptions import DomainError


class DrillError(DomainError, ValidationError):
    """An illegal move in the drill cycle (a wrong status, a missing prerequisite).

    A ValidationError so that forms and admin views can show it as they show any other error;
    the message is always translated.
    """
