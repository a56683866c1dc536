from django import template

from ..models.questions import option_letter as _option_letter

register = template.Library()


@register.filter
def option_letter(position):
    """``{{ forloop.counter0|option_letter }}``: the letter the review shows for this option."""
    return _option_letter(position)
