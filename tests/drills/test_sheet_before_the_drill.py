"""An evaluator who opens a sheet before the drill is held is told so up front, not at submit."""

from django.urls import reverse

from tests.conftest import login
from tests.factories import drills as df


def test_sheet_says_up_front_that_the_drill_has_not_been_held(client, people, company, settings):
    settings.LANGUAGE_CODE = "zh-hans"  # the drills tests read English otherwise
    plan = df.plan(department=company["branch"])
    drill = df.drill(plan=plan, coordinator=people["coordinator"], evaluators=[people["evaluator"]])
    sheet = drill.sheets.get()
    login(client, people["evaluator"])
    url = reverse("drills:sheet", args=[sheet.pk])
    page = client.get(url).content.decode()
    assert 'id="not-held"' in page and "本次演练尚未举行" in page

    df.conduct(drill)
    page = client.get(url).content.decode()
    assert 'id="not-held"' not in page
