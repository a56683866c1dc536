"""Evidence photos go through the storage API (see tests/lms/test_remote_storage.py)."""

from drills import services
from tests.drills.test_evaluation import _result, photo
from tests.factories import drills as df
from tests.lms.test_remote_storage import media  # noqa: F401 - the path-less storage fixture


def test_evidence_photo_is_checked_and_stored_without_a_local_path(drill, media):  # noqa: F811
    result = _result(drill.sheets.first(), "psmu")
    services.result_save(result=result, level=df.level("psmu", "P"), photo=photo("PNG"))
    result.refresh_from_db()
    assert media.exists(result.photo.name)
    with media.open(result.photo.name) as handle:
        assert handle.read(8) == b"\x89PNG\r\n\x1a\n"
    assert result.photo.url.startswith("/media/")
