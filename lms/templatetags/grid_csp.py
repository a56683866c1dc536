import json

from django import template

from lms.admin_csp import init_element

register = template.Library()


@register.simple_tag
def grid_init(call, *args, options_json=None):
    """An inert element that starts a Wagtail widget without an inline script; see
    ``lms.admin_csp``. ``options_json`` is a JSON string appended to the arguments."""
    if options_json is not None:
        args = (*args, json.loads(options_json))
    return init_element(call, *args)
