import io
from decimal import Decimal
from http import HTTPStatus

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from drills import services
from drills.models import CriterionResult, DrillError, EvaluationSheet, RatingScale
from drills.scoring import drill_scores
from tests.conftest import login
from tests.drills.queries import with_session
from tests.factories import drills as df


def photo(fmt="JPEG", size=(20, 20)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, fmt)
    return SimpleUploadedFile(f"evidence.{fmt.lower()}", buffer.getvalue(), f"image/{fmt.lower()}")


def test_three_scales_ship_as_data(db):
    scales = {s.code: s for s in RatingScale.objects.prefetch_related("levels")}
    assert [lv.code for lv in scales["psmu"].levels.all()] == ["P", "S", "M", "U"]
    assert "Performed without Challenges" in scales["psmu"].levels.get(code="P").definition
    assert scales["yes_no"].levels.get(code="no").requires_reason
    band = scales["score100"]
    assert band.kind == "points"
    assert [band.band_for(Decimal(p)).code for p in (95, 90, 89, 75, 74, 60, 59)] == [
        "excellent",
        "excellent",
        "good",
        "good",
        "satisfactory",
        "satisfactory",
        "needs_improvement",
    ]


def _result(sheet, scale_code):
    return sheet.results.select_related("criterion__scale").get(criterion__scale__code=scale_code)


def test_no_needs_a_reason(drill):
    result = _result(drill.sheets.first(), "yes_no")
    with pytest.raises(DrillError, match="Give the reason"):
        services.result_save(result=result, level=df.level("yes_no", "no"))
    services.result_save(result=result, level=df.level("yes_no", "no"), reason="未报送")
    result.refresh_from_db()
    assert result.reason == "未报送"


def test_level_must_belong_to_the_scale(drill):
    result = _result(drill.sheets.first(), "psmu")
    with pytest.raises(DrillError, match="does not belong"):
        services.result_save(result=result, level=df.level("yes_no", "yes"))
    with pytest.raises(DrillError, match="rated on a scale"):
        services.result_save(result=result, points=Decimal("50"))
    points = _result(drill.sheets.first(), "score100")
    with pytest.raises(DrillError, match="between 0 and 100"):
        services.result_save(result=points, points=Decimal("101"))


def test_photo_evidence_size_and_type_checked(drill, settings):
    result = _result(drill.sheets.first(), "psmu")
    fake = SimpleUploadedFile("x.jpg", b"not an image at all", "image/jpeg")
    with pytest.raises(DrillError, match="not an image of an allowed type"):
        services.result_save(result=result, level=df.level("psmu", "P"), photo=fake)
    with pytest.raises(DrillError, match="not an image of an allowed type"):
        services.result_save(result=result, level=df.level("psmu", "P"), photo=photo("GIF"))
    settings.DRILLS_EVIDENCE_MAX_BYTES = 100
    with pytest.raises(DrillError, match="the limit is"):
        services.result_save(result=result, level=df.level("psmu", "P"), photo=photo())
    settings.DRILLS_EVIDENCE_MAX_BYTES = 5 * 1024 * 1024
    services.result_save(result=result, level=df.level("psmu", "P"), photo=photo("PNG"))
    result.refresh_from_db()
    assert result.photo.name.endswith(".png")


def test_submitted_sheet_is_frozen_and_needs_every_rating(drill):
    df.conduct(drill)
    sheet = drill.sheets.first()
    with pytest.raises(DrillError, match="3 criteria have not been rated yet"):
        services.sheet_submit(sheet=sheet)
    df.fill_sheet(sheet)
    with pytest.raises(DrillError, match="can no longer be changed"):
        services.result_save(result=_result(sheet, "psmu"), level=df.level("psmu", "U"))


def test_scores_roll_up_by_weights(drill, people, company):
    df.conduct(drill)
    first, second = drill.sheets.order_by("pk")
    # psmu S=75 (w1, alarm/warning), yes=100 (w2, command/coordination, commander),
    # 80 points (w1, onsite/grid restoration, player)
    df.fill_sheet(first)
    # psmu P=100, no=0, 60 points
    df.fill_sheet(second, psmu="P", yes_no="no", points=Decimal("60"))
    scores = drill_scores(drill)
    # (75 + 200 + 80 + 100 + 0 + 60) / (4 + 4) = 64.375
    assert scores["overall"] == Decimal("64.38")
    assert scores["by_phase"] == {
        "alarm": Decimal("87.50"),
        "command": Decimal("50.00"),
        "onsite": Decimal("70.00"),
    }
    assert scores["by_capability"]["coordination"] == Decimal("50.00")
    assert scores["by_role"] == {"commander": Decimal("50.00"), "player": Decimal("70.00")}
    assert scores["by_department"][company["branch"].pk]["score"] == Decimal("64.38")
    participants = scores["participants"]
    assert participants[people["manager"].pk]["score"] == Decimal("50.00")  # commander
    assert participants[people["employee"].pk]["score"] == Decimal("70.00")  # player
    assert participants[people["evaluator"].pk]["score"] == Decimal("64.38")  # no role criteria


def test_template_versions_keep_old_sheets(drill):
    template = drill.template
    copy = services.template_new_version(template=template)
    assert (copy.code, copy.version) == (template.code, 2)
    assert copy.criteria.count() == template.criteria.count()
    assert EvaluationSheet.objects.filter(template=template).count() == 2


def test_template_in_use_cannot_be_edited_in_admin(client, drill, people):
    login(client, people["coordinator"])
    url = reverse("evaluation_templates:edit", args=[drill.template.pk])
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    response = client.post(reverse("evaluation_templates:new_version", args=[drill.template.pk]))
    assert response.status_code == HTTPStatus.FOUND
    assert drill.template.__class__.objects.filter(code=drill.template.code).count() == 2


# --- the phone sheet --------------------------------------------------------------------------


def test_evaluator_sheet_page_and_autosave(client, drill, people):
    sheet = drill.sheets.get(evaluator=people["evaluator"])
    login(client, people["evaluator"])
    response = client.get(reverse("drills:sheet", args=[sheet.pk]))
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert "data-autosave" in body and "评估要点1" in body
    result = _result(sheet, "psmu")
    response = client.post(
        reverse("drills:result_save", args=[sheet.pk, result.pk]),
        {
            "level": df.level("psmu", "M").pk,
            "observation": "通讯中断5分钟",
            "observed_at": "09:35",
            "photo": photo(),
        },
        headers={"x-requested-with": "fetch"},
    )
    assert response.status_code == HTTPStatus.OK
    assert response.json()["ok"] is True and response.json()["rated"] == 1
    result.refresh_from_db()
    assert result.level.code == "M" and result.observation == "通讯中断5分钟"
    assert result.observed_at.strftime("%H:%M") == "09:35" and result.photo

    # A refused rating answers with the message, and the rating is not stored.
    no_result = _result(sheet, "yes_no")
    response = client.post(
        reverse("drills:result_save", args=[sheet.pk, no_result.pk]),
        {"level": df.level("yes_no", "no").pk},
        headers={"x-requested-with": "fetch"},
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Give the reason" in response.json()["errors"]["level"][0]
    assert CriterionResult.objects.get(pk=no_result.pk).level is None


def test_rating_waiting_for_its_reason_does_not_hold_back_the_note_and_time(client, drill, people):
    """The sheet's script posts the changed fields: the note and time are saved even while the
    rating beside them still waits for its reason, and the rating is saved once it has one."""
    sheet = drill.sheets.get(evaluator=people["evaluator"])
    login(client, people["evaluator"])
    result = _result(sheet, "yes_no")
    url = reverse("drills:result_save", args=[sheet.pk, result.pk])
    no = df.level("yes_no", "no").pk
    response = client.post(
        url,
        {
            "fields": "level,observation,observed_at",
            "level": no,
            "reason": "",
            "observation": "抢修车辆晚到",
            "observed_at": "10:05",
        },
        headers={"x-requested-with": "fetch"},
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    body = response.json()
    assert sorted(body["saved"]) == ["observation", "observed_at"]
    assert list(body["errors"]) == ["level"]
    result.refresh_from_db()
    assert result.level is None
    assert result.observation == "抢修车辆晚到"
    assert result.observed_at.strftime("%H:%M") == "10:05"

    # The reason comes: the waiting rating is saved with it; the note is left as it was.
    response = client.post(
        url,
        {"fields": "level,reason", "level": no, "reason": "未按时到场"},
        headers={"x-requested-with": "fetch"},
    )
    assert response.status_code == HTTPStatus.OK and response.json()["ok"] is True
    result.refresh_from_db()
    assert result.level.code == "no" and result.reason == "未按时到场"
    assert result.observation == "抢修车辆晚到"

    # A field posted alone changes only itself; an unreadable time is refused on its own.
    response = client.post(
        url,
        {"fields": "observed_at,observation", "observed_at": "25:99", "observation": "补充"},
        headers={"x-requested-with": "fetch"},
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["saved"] == ["observation"]
    result.refresh_from_db()
    assert result.observed_at.strftime("%H:%M") == "10:05" and result.observation == "补充"
    assert result.level.code == "no" and result.reason == "未按时到场"


def test_plain_form_post_saves_what_it_can_and_names_the_refused_field(client, drill, people):
    sheet = drill.sheets.get(evaluator=people["evaluator"])
    login(client, people["evaluator"])
    result = _result(sheet, "yes_no")
    response = client.post(
        reverse("drills:result_save", args=[sheet.pk, result.pk]),
        {"level": df.level("yes_no", "no").pk, "observation": "记录", "observed_at": "08:00"},
        follow=True,
    )
    assert "Give the reason" in response.content.decode()
    result.refresh_from_db()
    assert result.level is None and result.observation == "记录"


@pytest.mark.parametrize(
    ("who", "view", "edit"),
    [
        ("evaluator", HTTPStatus.OK, HTTPStatus.OK),
        ("coordinator", HTTPStatus.OK, HTTPStatus.FORBIDDEN),
        ("employee", HTTPStatus.NOT_FOUND, HTTPStatus.NOT_FOUND),
        ("outsider", HTTPStatus.NOT_FOUND, HTTPStatus.NOT_FOUND),
    ],
)
def test_sheet_access(client, drill, people, who, view, edit):
    sheet = drill.sheets.get(evaluator=people["evaluator"])
    result = _result(sheet, "psmu")
    login(client, people[who])
    assert client.get(reverse("drills:sheet", args=[sheet.pk])).status_code == view
    response = client.post(
        reverse("drills:result_save", args=[sheet.pk, result.pk]),
        {"level": df.level("psmu", "P").pk},
        headers={"x-requested-with": "fetch"},
    )
    assert response.status_code == edit


def test_other_evaluator_cannot_open_my_sheet(client, drill, people, evaluator2):
    sheet = drill.sheets.get(evaluator=people["evaluator"])
    login(client, evaluator2)
    assert client.get(reverse("drills:sheet", args=[sheet.pk])).status_code == 404


def test_submit_from_the_page(client, drill, people):
    sheet = drill.sheets.get(evaluator=people["evaluator"])
    df.fill_sheet(sheet, submit=False)
    login(client, people["evaluator"])
    response = client.post(reverse("drills:sheet_submit", args=[sheet.pk]), follow=True)
    assert "has not been conducted yet" in response.content.decode()
    df.conduct(drill)
    client.post(reverse("drills:sheet_submit", args=[sheet.pk]))
    sheet.refresh_from_db()
    assert sheet.is_submitted


def test_sheet_page_query_count_is_constant(client, plan, people, django_assert_num_queries):
    def sheet_with(n):
        criteria = [("onsite", "safety", "", Decimal("1"), "psmu")] * n
        drill = df.drill(
            plan=plan,
            coordinator=people["coordinator"],
            evaluators=[people["evaluator"]],
            template=df.template(criteria=criteria),
        )
        return drill.sheets.get()

    login(client, people["evaluator"])
    small, large = sheet_with(4), sheet_with(40)
    client.get(reverse("drills:sheet", args=[small.pk]))
    with django_assert_num_queries(QUERIES_SHEET):
        response = client.get(reverse("drills:sheet", args=[small.pk]))
    assert response.context["total"] == 4
    with django_assert_num_queries(QUERIES_SHEET):
        response = client.get(reverse("drills:sheet", args=[large.pk]))
    assert response.context["total"] == 40


QUERIES_SHEET = with_session(3)


# --- self-assessment --------------------------------------------------------------------------


def test_participant_self_assessment(client, drill, people):
    participant = drill.participants.get(employee=people["employee"])
    url = reverse("drills:participation", args=[participant.pk])
    login(client, people["employee"])
    response = client.post(url, {"text": "我负责隔离故障"}, follow=True)
    assert "once the drill has been conducted" in response.content.decode()
    df.conduct(drill)
    client.post(url, {"text": "我负责隔离故障"})
    participant.refresh_from_db()
    assert participant.self_assessment == "我负责隔离故障"


@pytest.mark.parametrize(
    ("who", "status"),
    [("coordinator", 200), ("manager", 200), ("colleague", 404), ("other_manager", 404)],
)
def test_participation_page_scope(client, drill, people, who, status):
    participant = drill.participants.get(employee=people["employee"])
    login(client, people[who])
    url = reverse("drills:participation", args=[participant.pk])
    assert client.get(url).status_code == status
    if status == 200:
        # Nobody writes someone else's self-assessment.
        assert client.post(url, {"text": "x"}).status_code == HTTPStatus.FORBIDDEN


# --- assignment -------------------------------------------------------------------------------


def test_coordinator_assigns_phases_and_department(client, drill, people, company):
    sheet = drill.sheets.get(evaluator=people["evaluator"])
    login(client, people["coordinator"])
    response = client.post(
        reverse("drills:sheet_assign", args=[drill.pk]),
        {"sheet": sheet.pk, "department": company["team_a"].pk, "phases": ["alarm", "onsite"]},
    )
    assert response.status_code == HTTPStatus.FOUND
    sheet.refresh_from_db()
    assert sheet.phases == ["alarm", "onsite"]
    assert sorted(sheet.results.values_list("criterion__phase", flat=True)) == ["alarm", "onsite"]
    df.conduct(drill)
    df.fill_sheet(sheet)
    scores = drill_scores(drill)
    # psmu S=75 (w1) and 80 points (w1) observed in team A
    assert scores["by_department"][company["team_a"].pk]["score"] == Decimal("77.50")


def test_assignment_keeps_ratings_already_given(drill, people, company):
    sheet = drill.sheets.get(evaluator=people["evaluator"])
    services.result_save(result=_result(sheet, "psmu"), level=df.level("psmu", "P"))
    with pytest.raises(DrillError, match="already rated criteria outside"):
        services.sheet_assign(sheet=sheet, department=company["branch"], phases=["onsite"])
    with pytest.raises(DrillError, match="No criterion"):
        services.sheet_assign(sheet=sheet, department=company["branch"], phases=["recovery"])
    assert sheet.results.count() == 3


@pytest.mark.parametrize("who", ["manager", "evaluator", "employee"])
def test_only_coordinators_assign_sheets(client, drill, people, company, who):
    sheet = drill.sheets.get(evaluator=people["evaluator"])
    login(client, people[who])
    response = client.post(
        reverse("drills:sheet_assign", args=[drill.pk]),
        {"sheet": sheet.pk, "department": company["team_a"].pk, "phases": ["alarm"]},
    )
    assert response.status_code == HTTPStatus.FORBIDDEN
    sheet.refresh_from_db()
    assert sheet.phases == []


def test_coordinator_builds_a_template_in_admin(client, people):
    from wagtail.test.utils.form_data import inline_formset, nested_form_data

    from drills.models import EvaluationTemplate

    login(client, people["coordinator"])
    assert client.get(reverse("evaluation_templates:add")).status_code == HTTPStatus.OK
    data = nested_form_data(
        {
            "code": "QC-PG-NEW",
            "name": "新评估表",
            "organised_by": "capability",
            "description": "",
            "criteria": inline_formset(
                [
                    {
                        "text": "指挥部 30 分钟内成立",
                        "phase": "command",
                        "capability": "coordination",
                        "exercise_role": "commander",
                        "weight": "2",
                        "scale": RatingScale.objects.get(code="psmu").pk,
                        "guidance": "",
                    }
                ]
            ),
        }
    )
    response = client.post(reverse("evaluation_templates:add"), data)
    assert response.status_code == HTTPStatus.FOUND
    template = EvaluationTemplate.objects.get(code="QC-PG-NEW")
    assert template.version == 1
    assert template.criteria.get().weight == Decimal("2")


def test_template_in_use_refuses_edits(client, drill, people):
    from wagtail.test.utils.form_data import inline_formset, nested_form_data

    template = drill.template
    criteria = list(template.criteria.all())
    data = nested_form_data(
        {
            "code": template.code,
            "name": "改名",
            "organised_by": template.organised_by,
            "description": "",
            "criteria": inline_formset(
                [
                    {
                        "id": c.pk,
                        "text": c.text,
                        "phase": c.phase,
                        "capability": c.capability,
                        "exercise_role": c.exercise_role,
                        "weight": str(c.weight),
                        "scale": c.scale_id,
                        "guidance": "",
                    }
                    for c in criteria
                ],
                initial=len(criteria),
            ),
        }
    )
    login(client, people["coordinator"])
    response = client.post(reverse("evaluation_templates:edit", args=[template.pk]), data)
    assert response.status_code == HTTPStatus.OK
    assert "create a new version" in response.content.decode()
    template.refresh_from_db()
    assert template.name != "改名"
