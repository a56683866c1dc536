"""What a delete would take with it, said before anyone presses the button.

Records that hold results hang on their owners with ``on_delete=PROTECT`` (or RESTRICT); Django's
deletion collector finds them, through every cascade, exactly as a delete would. The admin's
delete pages (``wagtailadmin/generic/confirm_delete.html``, and pages through the
``before_delete_page`` hook) show the refusal with the kinds and numbers of what depends on the
object instead of Wagtail's reference count (which knows nothing of these records), and offer no
delete button; a delete posted anyway is refused by ``ProtectedDeleteMiddleware`` with the same
message.
"""

from django.db import router
from django.db.models import ProtectedError, RestrictedError
from django.db.models.deletion import Collector
from django.utils.translation import gettext as _


def dependents_text(objects) -> str:
    """“考试记录：3；证书：1”: what a refused delete would have taken with it, by kind."""
    counts = {}
    for obj in objects:
        meta = obj._meta
        counts[meta.label] = (meta, counts.get(meta.label, (meta, 0))[1] + 1)
    return _("; ").join(
        _("%(kind)s: %(count)s") % {"kind": meta.verbose_name_plural, "count": count}
        for meta, count in counts.values()
    )


def refusal_message(objects) -> str:
    return _(
        "This cannot be deleted: records depend on it (%(dependents)s). Records that hold "
        "results are kept; deactivate or archive it instead."
    ) % {"dependents": dependents_text(objects)}


def delete_refusal(*objects) -> str:
    """The message that refuses deleting ``objects``, or "" when nothing holds on to them."""
    held = []
    for obj in objects:
        collector = Collector(using=router.db_for_write(type(obj)), origin=obj)
        try:
            collector.collect([obj])
        except ProtectedError as error:
            held.extend(error.protected_objects)
        except RestrictedError as error:
            held.extend(error.restricted_objects)
    return refusal_message(held) if held else ""
