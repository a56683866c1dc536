"""Form widgets the back office renders many times a page.

``CheckboxList`` is Django's ``CheckboxSelectMultiple`` with the same HTML, written out in
Python instead of three nested templates per option: a training plan of 14 items, each with
its target positions and departments, rendered 480 checkboxes through about 1,900 template
includes (a third of the edit page's time with the demo ×10).
"""

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe


def _attrs(attrs) -> str:
    """Django's ``attrs.html``: ``False`` leaves the attribute out, ``True`` writes its name."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
            for name, value in attrs.items()
            if value is not False
        ),
    )


class CheckboxList(forms.CheckboxSelectMultiple):
    def _option(self, option) -> str:
        """Django's ``input_option.html`` around ``input.html``, newlines included."""
        value = option["value"]
        value_html = "" if value is None else format_html(' value="{}"', value)
        option_id = option["attrs"].get("id")
        return format_html(
            '<label{}><input type="{}" name="{}"{}{}>\n {}</label>\n\n',
            format_html(' for="{}"', option_id) if option_id else "",
            option["type"],
            option["name"],
            value_html,
            _attrs(option["attrs"]),
            option["label"],
        )

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        if not all(o["wrap_label"] for _g, options, _i in widget["optgroups"] for o in options):
            return super().render(name, value, attrs, renderer)
        widget_id = widget["attrs"].get("id")
        css_class = widget["attrs"].get("class")
        parts = [
            format_html(
                "<div{}{}>",
                format_html(' id="{}"', widget_id) if widget_id else "",
                format_html(' class="{}"', css_class) if css_class else "",
            )
        ]
        for group, options, _index in widget["optgroups"]:
            if group:
                parts.append(format_html("\n  <div><label>{}</label>", group))
            for option in options:
                parts.append(format_html("<div>\n    {}</div>", self._option(option)))
            if group:
                parts.append("\n  </div>")
        parts.append("\n</div>")
        return mark_safe("".join(str(part) for part in parts))


def share_choices(forms_, *names):
    """Give the same choices to field ``names`` of every form in ``forms_`` (an inline formset's
    forms): read once instead of one query per form and field. The choices are only shown;
    a posted value is still checked against the field's queryset."""
    for name in names:
        shared = None
        for form in forms_:
            field = form.fields.get(name)
            if field is None:
                continue
            if shared is None:
                shared = list(field.choices)
            field.choices = shared


def prefetch_chosen(forms_, name, queryset):
    """Read the records the chooser widgets of field ``name`` show in ``forms_`` with one query
    on ``queryset`` (one query per form otherwise; see lms.compat.wagtail_chooser)."""
    fields = [(form, form.fields[name]) for form in forms_ if name in form.fields]
    ids = {form[name].value() for form, _field in fields} - {None, ""}
    if not ids:
        return
    found = {str(obj.pk): obj for obj in queryset.filter(pk__in=ids)}
    _cache_tree_parents(list(found.values()))
    for _form, field in fields:
        field.widget.prefetched = found


def _cache_tree_parents(nodes):
    """Tree nodes (pages) with their parents read at once: a page chooser shows the parent
    (treebeard keeps it in ``_cached_parent_obj``, where ``get_parent`` looks first)."""
    from treebeard.mp_tree import MP_Node

    nodes = [node for node in nodes if isinstance(node, MP_Node) and node.depth > 1]
    if not nodes:
        return
    step = nodes[0].steplen
    tree = nodes[0].tree_model()
    parents = {
        parent.path: parent
        for parent in tree.objects.filter(path__in={node.path[:-step] for node in nodes})
    }
    for node in nodes:
        parent = parents.get(node.path[:-step])
        if parent is not None:
            node._cached_parent_obj = parent
