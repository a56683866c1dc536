"""The one base of every app's refusals.

A service refuses an illegal move (a wrong status, a missing prerequisite, a file it cannot
read) by raising a subclass of ``DomainError`` whose message is written for the user and
already translated. Views show it; they never turn it into a server error:
``lms.admin_views.ServiceFormErrorsMixin`` puts it on the form of an admin create or edit view.

Errors that name form fields also derive from Django's ``ValidationError`` (``TrainingError``,
``DrillError``), so ``full_clean`` and forms treat them as they treat any validation error.
"""


class DomainError(Exception):
    """A service refused; the message is for the user."""
