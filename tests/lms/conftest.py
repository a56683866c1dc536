import pytest
from django.utils import translation


@pytest.fixture
def english(settings):
    """Assert on the English source strings (the catalogue test checks the translations)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
