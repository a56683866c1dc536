"""``{% bar_chart %}`` draws a whole chart (a table: label, bar, value); ``{% bar %}`` draws one
bar, for a table that already has its figures. See ``lms.charts``."""

from django import template

from lms.charts import Bar, bars_from, clamp_share, share_step

register = template.Library()


@register.inclusion_tag("lms/includes/bar_chart.html")
def bar_chart(items, *, caption, label="{label}", value="{value}", share="share", **options):
    """A bar chart of ``items``: ``Bar`` rows as they are, or dicts/objects read through
    ``lms.charts.bars_from`` (``label``, ``value``, ``share``, ``scale``, ``tone``, ``note``,
    ``flag``, ``flag_when``). ``caption`` names the chart for screen readers; ``class_name``
    adds a class to the table."""
    class_name = options.pop("class_name", "")
    items = list(items or [])
    if items and all(isinstance(item, Bar) for item in items):
        bars = items
    else:
        bars = bars_from(items, label=label, value=value, share=share, **options)
    return {"bars": bars, "caption": caption, "class_name": class_name}


@register.inclusion_tag("lms/includes/bar.html")
def bar(share, scale=100, tone="", cell=True):
    """One bar of length ``share`` on ``scale`` (100 by default): in a cell of a table beside its
    figure, or (``cell=False``) the full width of its container, as a progress bar."""
    length = clamp_share(float(share) * 100 / float(scale)) if share and scale else 0
    return {"step": share_step(length), "tone": tone, "cell": cell}
