"""A formset post claiming more forms than Django's hard limit builds none of them and is
refused with Django's own message (lms/compat/django_formset_cap.py)."""

from django import forms
from django.forms import formset_factory


class Row(forms.Form):
    name = forms.CharField()


Rows = formset_factory(Row, extra=0, max_num=10)  # absolute_max = 10 + 1000


def _post(total, initial=0, rows=0):
    data = {"form-TOTAL_FORMS": str(total), "form-INITIAL_FORMS": str(initial)}
    for n in range(rows):
        data[f"form-{n}-name"] = f"行{n}"
    return Rows(data)


def test_a_post_claiming_ten_billion_rows_builds_none_and_is_refused():
    formset = _post(10**10, initial=10**10)
    assert formset.forms == []
    assert not formset.is_valid()
    assert formset.non_form_errors()


def test_an_honest_post_is_unchanged():
    formset = _post(3, rows=3)
    assert len(formset.forms) == 3 and formset.is_valid()
    # Over max_num but under the hard limit: built and judged as Django always has.
    assert len(_post(11, rows=11).forms) == 11
