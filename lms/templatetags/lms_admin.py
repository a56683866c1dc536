from django import template

from ..deletion import delete_refusal

register = template.Library()


@register.simple_tag
def refused_delete(obj) -> str:
    """The message refusing to delete ``obj`` (what depends on it), or ""."""
    return delete_refusal(obj) if obj is not None else ""
