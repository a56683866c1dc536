from careers.checks import appraisal_settings


def test_default_settings_pass(settings):
    assert appraisal_settings(None) == []


def test_bad_grade_settings_are_reported(settings):
    settings.APPRAISAL_GRADE_BANDS = "A:ninety"
    assert [e.id for e in appraisal_settings(None)] == ["careers.E001"]
    settings.APPRAISAL_GRADE_BANDS = "A:90,B:0"
    settings.APPRAISAL_BONUS_COEFFICIENTS = "A:1.2"
    assert [e.id for e in appraisal_settings(None)] == ["careers.E003"]
