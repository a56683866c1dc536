"""Styles come from the shared stylesheets (lms/static/lms/tokens.css, portal.css, charts.css),
never from a style attribute; every bar is the one chart of ``lms.charts`` (docs/architecture.md,
"Styles and charts")."""

import re
from pathlib import Path

import pytest
from django.template import Context, Template

from lms.charts import Bar, bars_from, share_step

ROOT = Path(__file__).resolve().parents[2]
SKIPPED = {".venv", "node_modules", ".git", "static_root", "media"}
STYLE_ATTRIBUTE = re.compile(r"""\sstyle\s*=\s*["']""", re.IGNORECASE)


def project_templates():
    for path in ROOT.rglob("*.html"):
        parts = set(path.relative_to(ROOT).parts)
        if parts & SKIPPED or "demo_files" in parts:  # SCORM packages are third-party content
            continue
        yield path


def test_the_scan_sees_the_templates():
    names = {path.relative_to(ROOT).as_posix() for path in project_templates()}
    assert "lms/templates/base.html" in names
    assert "careers/templates/careers/pdf/archive.html" in names


def test_no_template_has_a_style_attribute():
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in project_templates()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if STYLE_ATTRIBUTE.search(line)
    ]
    assert found == [], "use a class from the shared stylesheets instead: " + ", ".join(found)


@pytest.mark.parametrize(
    ("share", "step"), [(None, 0), (-3, 0), (0, 0), (2, 0), (3, 5), (47, 45), (48, 50), (130, 100)]
)
def test_a_bar_is_drawn_at_a_five_per_cent_step(share, step):
    assert share_step(share) == step


def test_rows_are_read_from_dicts_and_objects():
    class Point:
        point, percent, right, total, band, is_weak = "接线", 40, 2, 5, "weak", True

    rows = bars_from(
        [Point(), {"point": "倒闸", "percent": 90, "right": 9, "total": 10, "band": "strong"}],
        label="{point}",
        value="{percent}%",
        share="percent",
        note="{right}/{total}",
        tone="band",
        tone_map="weak:bad,strong:good",
        flag="weak",
        flag_when="is_weak",
    )
    assert rows == [
        Bar(label="接线", value="40%", share=40, tone="bad", note="2/5", flag="weak"),
        Bar(label="倒闸", value="90%", share=90, tone="good", note="9/10", flag=""),
    ]


def test_the_chart_is_a_table_with_its_figures_and_no_style():
    html = Template(
        '{% load charts %}{% bar_chart rows caption="Grades" label="{grade}" value="{share}%" '
        'share="height" %}'
    ).render(Context({"rows": [{"grade": "A", "share": 12, "height": 37}]}))
    assert '<caption class="visually-hidden">Grades</caption>' in html
    assert '<th scope="row" class="bar-chart__label">A</th>' in html
    assert "<strong>12%</strong>" in html
    assert "bar-w-35" in html
    assert 'aria-hidden="true"' in html
    assert "style=" not in html


def test_a_cell_bar_reads_its_scale():
    html = Template("{% load charts %}{% bar done scale=total %}").render(
        Context({"done": 3, "total": 4})
    )
    assert "bar--cell" in html and "bar-w-75" in html
