"""The one bar chart: a typed row (``Bar``) and the helpers that turn a list of dicts or objects
into rows. Templates draw it with ``{% bar_chart %}`` or a single ``{% bar %}`` (both in
``lms.templatetags.charts``), styled by ``lms/static/lms/charts.css``.

A bar's length is a class per 5 % step (``bar-w-0`` … ``bar-w-100``), never a style attribute:
pages keep working under a Content-Security-Policy without ``'unsafe-inline'`` styles, and
WeasyPrint draws the same markup with the same stylesheet in PDFs (it does not apply a page's
stylesheet to inline SVG, so an SVG bar would lose the colour variables there).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

TONES = ("", "good", "warn", "bad", "muted")


@dataclass(frozen=True)
class Bar:
    label: str
    value: str  # the figure shown beside the bar, as the reader reads it ("12", "85%")
    share: int  # the bar's length, 0–100 (per cent of the track)
    tone: str = ""  # one of TONES: colours the bar
    note: str = ""  # small text after the value ("5/8")
    flag: str = ""  # a tag after the value ("weak")

    @property
    def step(self) -> int:
        return share_step(self.share)


def share_step(share) -> int:
    """The 5 % step a bar of length ``share`` (0–100) is drawn at: its class ``bar-w-<step>``."""
    return 5 * round(clamp_share(share) / 5)


def clamp_share(value) -> int:
    """A bar length: a number between 0 and 100 (anything else, None included, is 0)."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return 0
    if not number.is_finite():
        return 0
    return int(max(Decimal(0), min(Decimal(100), number)).to_integral_value())


class _Fields(Mapping):
    """A row read by key (dicts) or attribute (objects), for ``str.format_map``."""

    def __init__(self, item):
        self.item = item

    def __getitem__(self, key):
        if isinstance(self.item, Mapping):
            return self.item[key]
        try:
            return getattr(self.item, key)
        except AttributeError as error:
            raise KeyError(key) from error

    def __iter__(self):
        return iter(())

    def __len__(self):
        return 0


def _field(item, name):
    if not name:
        return None
    return _Fields(item).get(name)


def _tone(item, name, tones):
    found = str(_field(item, name) or "") if name else ""
    found = tones.get(found, found)
    return found if found in TONES else ""


def bars_from(
    items: Iterable,
    *,
    label: str,
    value: str,
    share: str,
    scale=100,
    tone: str = "",
    note: str = "",
    flag: str = "",
    flag_when: str = "",
    tone_map: str = "",
) -> list[Bar]:
    """Rows of a chart from ``items`` (dicts or objects).

    ``label``, ``value`` and ``note`` are format strings over an item's fields (``"{grade}"``,
    ``"{share}%"``); ``share`` and ``tone`` name a field; a share is read on ``scale`` (100 by
    default) and drawn as a per cent of the track. ``flag`` is shown on the rows whose
    ``flag_when`` field is true. ``tone_map`` ("weak:bad,fair:warn") names the tone of each
    value of the ``tone`` field.
    """
    tones = dict(pair.split(":", 1) for pair in tone_map.split(",") if ":" in pair)
    rows = []
    for item in items:
        fields = _Fields(item)
        raw = _field(item, share)
        length = clamp_share(Decimal(str(raw)) * 100 / Decimal(str(scale))) if raw and scale else 0
        rows.append(
            Bar(
                label=label.format_map(fields),
                value=value.format_map(fields),
                share=length,
                tone=_tone(item, tone, tones),
                note=note.format_map(fields) if note else "",
                flag=flag if flag and (not flag_when or _field(item, flag_when)) else "",
            )
        )
    return rows
