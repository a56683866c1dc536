from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from wagtail import hooks

from careers import services
from careers.models import (
    AppraisalError,
    AppraisalPeriod,
    AppraisalResult,
    Indicator,
    IndicatorCategory,
    IndicatorValue,
    Subject,
)
from lms.hooks import APPRAISAL_INDICATOR_SOURCE_HOOK, IndicatorReading, IndicatorSource
from tests import factories as f
from tests.factories import careers as cf


def make_indicator(**fields):
    base = {
        "code": "X",
        "name": "x",
        "category": IndicatorCategory.CONDUCT,
        "subject": Subject.EMPLOYEE,
        "weight": Decimal(100),
    }
    return Indicator(**{**base, **fields})


@pytest.mark.parametrize(
    ("fields", "value", "score"),
    [
        ({"rule": "linear", "threshold_low": 60, "threshold_high": 100}, "80", "50.00"),
        ({"rule": "linear", "threshold_low": 60, "threshold_high": 100}, "50", "0.00"),
        ({"rule": "linear", "threshold_low": 60, "threshold_high": 100}, "120", "100.00"),
        # Lower is better: 10 h of outage scores 0, none scores 100.
        ({"rule": "linear", "threshold_low": 10, "threshold_high": 0}, "2.5", "75.00"),
        ({"rule": "pass_fail", "target": Decimal("99.9")}, "99.95", "100.00"),
        ({"rule": "pass_fail", "target": Decimal("99.9")}, "99.8", "0.00"),
        ({"rule": "pass_fail", "target": 2, "higher_is_better": False}, "1", "100.00"),
        ({"rule": "deduction", "deduction_per_occurrence": 15, "floor_score": 40}, "2", "70.00"),
        ({"rule": "deduction", "deduction_per_occurrence": 15, "floor_score": 40}, "9", "40.00"),
        ({"rule": "direct"}, "87.5", "87.50"),
        ({"rule": "direct"}, "130", "100.00"),
    ],
)
def test_indicator_scoring_rules(fields, value, score):
    converted = {k: Decimal(v) if isinstance(v, int) else v for k, v in fields.items()}
    indicator = make_indicator(**converted)
    assert indicator.score(Decimal(value)) == Decimal(score)
    assert str(indicator.rule_text())


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"rule": "linear", "threshold_low": Decimal(1)}, "threshold_high"),
        ({"rule": "pass_fail"}, "target"),
        ({"rule": "deduction"}, "deduction_per_occurrence"),
        ({"rule": "direct", "source": "hook"}, "source_key"),
        ({"rule": "direct", "weight": Decimal(0)}, "weight"),
    ],
)
def test_incomplete_indicator_rules_are_refused(db, fields, field):
    system = cf.indicator_system(indicators=[], activate=False)
    spec = {
        "code": "X",
        "name": "x",
        "category": IndicatorCategory.CONDUCT,
        "subject": Subject.EMPLOYEE,
        "weight": Decimal(100),
        **fields,
    }
    with pytest.raises(ValidationError) as error:
        services.indicator_create(system=system, **spec)
    assert field in error.value.message_dict
    assert not system.indicators.exists()


def test_system_in_force_is_versioned_not_edited(db):
    system = cf.indicator_system()
    with pytest.raises(AppraisalError):
        services.indicator_update(indicator=system.indicators.first(), weight=Decimal(50))
    draft = services.indicator_system_new_version(system=system)
    assert draft.version == system.version + 1
    assert draft.indicators.count() == system.indicators.count()
    services.indicator_update(
        indicator=draft.indicators.get(code="KPI-TRAIN"), name="培训完成率（新）"
    )
    services.indicator_system_activate(system=draft)
    system.refresh_from_db()
    assert system.status == "retired"
    assert system.indicators.get(code="KPI-TRAIN").name == "培训完成率"


def test_weights_must_add_up_to_100(db):
    specs = cf.default_indicators()[:2]
    with pytest.raises(AppraisalError, match="100"):
        cf.indicator_system(indicators=specs)


def test_period_life_and_illegal_moves(db):
    period = cf.period()
    assert period.status == AppraisalPeriod.Status.OPEN
    for illegal in (services.appraisal_period_freeze, services.appraisal_period_publish):
        with pytest.raises(AppraisalError):
            illegal(period=period)
    services.appraisal_period_start_collecting(period=period)
    with pytest.raises(AppraisalError):
        services.appraisal_period_start_collecting(period=period)
    with pytest.raises(AppraisalError):  # nothing to calculate yet
        services.appraisal_period_calculate(period=period)
    cf.value(period=period, code="KPI-TRAIN", value="90", employee=f.employee())
    cf.complete(period)
    services.appraisal_period_calculate(period=period)
    with pytest.raises(AppraisalError):
        services.appraisal_period_publish(period=period)
    period = services.appraisal_period_freeze(period=period)
    for illegal in (
        services.appraisal_period_calculate,
        services.appraisal_period_freeze,
        services.appraisal_period_start_collecting,
    ):
        with pytest.raises(AppraisalError):
            illegal(period=period)
    period = services.appraisal_period_publish(period=period)
    assert period.status == AppraisalPeriod.Status.PUBLISHED and period.published_at


def test_draft_system_cannot_be_calculated(db):
    period = cf.period(system=cf.indicator_system(activate=False))
    with pytest.raises(AppraisalError):
        services.appraisal_period_calculate(period=period)
    period.refresh_from_db()
    assert period.status == AppraisalPeriod.Status.OPEN


def test_calculation_scores_grades_ranks_and_bonus(people, company, settings):
    settings.APPRAISAL_GRADE_BANDS = "A:90,B:80,C:60,D:0"
    settings.APPRAISAL_BONUS_COEFFICIENTS = "A:1.2,B:1.0,C:0.8,D:0.5"
    period = cf.period()
    e, c = people["employee"], people["colleague"]
    cf.value(period=period, code="KPI-TRAIN", value="100", employee=e, records=[("课程", "/c/1")])
    cf.value(period=period, code="KPI-COMPLAINT", value="0", employee=e)
    cf.value(period=period, code="KPI-TRAIN", value="80", employee=c)
    cf.value(period=period, code="KPI-COMPLAINT", value="1", employee=c)
    # The branch's reliability counts for both teams below it.
    cf.value(period=period, code="KPI-RELIAB", value="99.95", department=company["branch"])
    summary = services.appraisal_period_calculate(period=period)
    # The branch manager has only the branch's value, so they get a result too.
    assert summary.results == 3
    mine = AppraisalResult.objects.get(period=period, employee=e)
    theirs = AppraisalResult.objects.get(period=period, employee=c)
    assert mine.total_score == Decimal("100.00") and mine.grade == "A"
    assert mine.bonus_coefficient == Decimal("1.20")
    # 50×0.4 + 80×0.3 + 100×0.3 = 74
    assert theirs.total_score == Decimal("74.00") and theirs.grade == "C"
    assert theirs.bonus_coefficient == Decimal("0.80")
    assert len(mine.breakdown) == 3
    assert mine.rank_in_department == 1 and mine.department_size == 1


def test_rank_within_department_ties_share_a_rank(people, company):
    period = cf.period()
    team = company["team_a"]
    extra = [f.employee(department=team) for _ in range(3)]
    for person, score in zip([people["employee"], *extra], ["100", "90", "90", "70"], strict=True):
        cf.value(period=period, code="KPI-TRAIN", value=score, employee=person)
    services.appraisal_period_calculate(period=period)
    ranks = dict(
        AppraisalResult.objects.filter(department=team).values_list(
            "employee_id", "rank_in_department"
        )
    )
    assert [ranks[p.pk] for p in [people["employee"], *extra]] == [1, 2, 2, 4]
    assert set(
        AppraisalResult.objects.filter(department=team).values_list("department_size", flat=True)
    ) == {4}


def test_hook_source_values_keep_their_records(people):
    calls = []

    def compute(start, end, subject_ids):
        calls.append(list(subject_ids))
        return {
            people["employee"].pk: IndicatorReading(
                Decimal("95"), records=(("安规考试 95 分", "/exams/results/7/"),)
            )
        }

    def source():
        return IndicatorSource(
            key="exams.pass_rate", label="考试", subject="employee", compute=compute
        )

    specs = [
        {
            "code": "KPI-EXAM",
            "name": "考试成绩",
            "category": IndicatorCategory.TRAINING,
            "subject": Subject.EMPLOYEE,
            "weight": Decimal(100),
            "rule": Indicator.Rule.DIRECT,
            "source": Indicator.Source.HOOK,
            "source_key": "exams.pass_rate",
        }
    ]
    period = cf.period(system=cf.indicator_system(indicators=specs))
    with hooks.register_temporarily(APPRAISAL_INDICATOR_SOURCE_HOOK, source):
        services.appraisal_period_calculate(period=period)
    assert len(calls) == 1 and people["employee"].pk in calls[0]
    value = IndicatorValue.objects.get(period=period, employee=people["employee"])
    assert value.source == "hook"
    assert value.record_links == [{"label": "安规考试 95 分", "url": "/exams/results/7/"}]
    assert AppraisalResult.objects.get(period=period).total_score == Decimal("95.00")


def test_without_hook_sources_calculation_still_works(people):
    specs = [
        {
            "code": "KPI-DRILL",
            "name": "演练评估",
            "category": IndicatorCategory.DRILLS,
            "subject": Subject.EMPLOYEE,
            "weight": Decimal(50),
            "rule": Indicator.Rule.DIRECT,
            "source": Indicator.Source.HOOK,
            "source_key": "drills.score",
        },
        {**cf.default_indicators()[0], "weight": Decimal(50)},
    ]
    period = cf.period(system=cf.indicator_system(indicators=specs))
    cf.value(period=period, code="KPI-TRAIN", value="90", employee=people["employee"])
    services.appraisal_period_calculate(period=period)
    result = AppraisalResult.objects.get(period=period)
    assert result.total_score == Decimal("75.00") and len(result.breakdown) == 1


def test_values_out_of_range_or_wrong_subject_are_refused(people, company):
    period = cf.period()
    with pytest.raises(ValidationError):
        cf.value(period=period, code="KPI-TRAIN", value="120", employee=people["employee"])
    with pytest.raises(ValidationError):
        cf.value(period=period, code="KPI-TRAIN", value="90", department=company["team_a"])
    with pytest.raises(ValidationError):
        cf.value(period=period, code="KPI-RELIAB", value="99", employee=people["employee"])
    assert not IndicatorValue.objects.exists()


def test_after_freezing_changes_need_a_reason_and_are_audited(people):
    hr = people["hr"].user
    period = cf.period()
    item = cf.value(period=period, code="KPI-TRAIN", value="100", employee=people["employee"])
    cf.complete(period)
    services.appraisal_period_calculate(period=period)
    period = services.appraisal_period_freeze(period=period)
    with pytest.raises(AppraisalError):
        cf.value(period=period, code="KPI-TRAIN", value="90", employee=people["employee"])
    with pytest.raises(ValidationError):
        services.indicator_value_correct(value_item=item, value=Decimal(80), reason=" ")
    assert not cf.appraisal_changes().exists()
    item.refresh_from_db()
    assert item.value == Decimal(100)

    services.indicator_value_correct(
        value_item=item, value=Decimal(80), reason="培训记录补录", acting_user=hr
    )
    audits = {a.action: a for a in cf.appraisal_changes()}
    value_changed = audits["careers.value_corrected"]
    assert value_changed.data["before"] == {"value": "100"}
    assert value_changed.data["after"]["value"] == "80"
    assert value_changed.data["reason"] == "培训记录补录" and value_changed.user == hr
    assert audits["careers.result_changed"].data["before"] == {"total_score": "100", "grade": "A"}
    assert audits["careers.result_changed"].data["after"] == {"total_score": "50", "grade": "D"}
    result = AppraisalResult.objects.get(period=period)
    assert result.total_score == Decimal("50.00")
    period.refresh_from_db()
    assert period.status == AppraisalPeriod.Status.FROZEN


def test_correcting_an_unfrozen_period_is_refused(people):
    period = cf.period()
    item = cf.value(period=period, code="KPI-TRAIN", value="100", employee=people["employee"])
    with pytest.raises(AppraisalError):
        services.indicator_value_correct(value_item=item, value=Decimal(80), reason="x")


def test_new_values_make_a_calculation_stale(people):
    period = cf.period()
    cf.value(period=period, code="KPI-TRAIN", value="100", employee=people["employee"])
    services.appraisal_period_calculate(period=period)
    cf.value(period=period, code="KPI-TRAIN", value="90", employee=people["employee"])
    period.refresh_from_db()
    assert period.status == AppraisalPeriod.Status.COLLECTING


@pytest.mark.parametrize("size", [5, 50])
def test_calculation_runs_a_fixed_number_of_queries(company, django_assert_num_queries, size):
    period = cf.period()
    indicator = period.system.indicators.get(code="KPI-TRAIN")
    people_ = [f.employee(department=company["team_a"]) for _ in range(size)]
    services.indicator_values_import(
        period=period, rows=[(indicator, p.pk, None, Decimal(90), "") for p in people_]
    )
    with django_assert_num_queries(11):
        services.appraisal_period_calculate(period=period)
    assert AppraisalResult.objects.filter(period=period).count() == size


def test_frozen_period_keeps_its_people_when_someone_leaves(people):
    from lms import services as lms_services

    period = cf.period()
    item = cf.value(period=period, code="KPI-TRAIN", value="100", employee=people["employee"])
    cf.value(period=period, code="KPI-TRAIN", value="80", employee=people["colleague"])
    cf.complete(period)
    services.appraisal_period_calculate(period=period)
    period = services.appraisal_period_freeze(period=period)
    lms_services.employee_update(employee=people["colleague"], status="left")
    services.indicator_value_correct(value_item=item, value=Decimal(90), reason="复核")
    results = dict(
        AppraisalResult.objects.filter(period=period).values_list("employee__number", "total_score")
    )
    assert results == {"E1": Decimal("75.00"), "E2": Decimal("50.00")}
    # Only the changed result is audited.
    assert cf.appraisal_changes(action="careers.result_changed").count() == 1
