"""Wagtail's admin without inline scripts, so that it runs under our Content-Security-Policy.

Wagtail 8 still starts a few widgets with an inline ``<script>``: chooser widgets (page,
document, image, snippet, task), the date and time pickers, InlinePanel and
MultipleChooserPanel. The project's template overrides (``lms/templates/wagtailadmin/``) and
``install()`` below render an inert element instead::

    <div hidden data-controller="grid-init" data-grid-init-call-value="InlinePanel"
         data-grid-init-args-value='[{...options...}]'></div>

which ``lms/static/lms/admin/csp-init.js`` (a Stimulus controller) turns into the same call,
taken from a fixed list of Wagtail initialisers. The element holds data, never code, so markup
injected into a page cannot run anything that way.
"""

import json

from django.utils.safestring import mark_safe


def _attribute(value: str) -> str:
    # Single-quoted attribute: JSON's double quotes stay literal, as they were in Wagtail's
    # inline script, so InlinePanel's "__prefix__" substitution works on them unchanged.
    return (
        value.replace("&", "&amp;").replace("'", "&#x27;").replace("<", "&lt;").replace(">", "&gt;")
    )


def init_element(call: str, *args) -> str:
    """The inert element that asks ``csp-init.js`` to run ``call(*args)``."""
    return mark_safe(  # noqa: S308 - every value is escaped for a single-quoted attribute
        '<div hidden data-controller="grid-init" '
        f"data-grid-init-call-value='{_attribute(call)}' "
        f"data-grid-init-args-value='{_attribute(json.dumps(list(args)))}'></div>"
    )


def _chooser_render(self, name, value, attrs=None, renderer=None):
    """``BaseChooser.render`` with the inert element where Wagtail writes a ``<script>``."""
    from wagtail.admin.widgets import BaseChooser
    from wagtail.admin.widgets.workflows import AdminTaskChooser

    try:
        id_ = attrs["id"]
    except (KeyError, TypeError) as error:
        raise TypeError("BaseChooser cannot be rendered without an 'id' attribute") from error
    value_data = self.get_value_data(value)
    widget_html = self.render_html(name, value_data, attrs)
    if isinstance(self, AdminTaskChooser):
        init = init_element("createTaskChooser", id_)
    elif type(self).render_js_init is BaseChooser.render_js_init:
        init = init_element(
            self.js_constructor, id_, self.get_js_init_options(id_, name, value_data)
        )
    else:  # an initialiser we do not know: keep Wagtail's own (the CSP scan test reports it)
        return _original_chooser_render(self, name, value, attrs, renderer)
    return mark_safe(f"{widget_html}{init}")  # noqa: S308 - widget_html is Wagtail's own


_original_chooser_render = None


def install():
    """Render every Wagtail chooser widget without an inline script (called once, at start)."""
    global _original_chooser_render
    from wagtail.admin.widgets import BaseChooser

    if _original_chooser_render is None:
        _original_chooser_render = BaseChooser.render
        BaseChooser.render = _chooser_render
