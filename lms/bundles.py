"""One static file per page: stylesheets joined into bundles (``STATIC_BUNDLES``).

A page of the portal needs the design tokens, the portal's stylesheet and the charts'; the exam
pages need the exam's styles too. Each extra file is one more request for every phone on exam
morning (docs/performance.md, "Exam morning"). ``BundleFinder``, the last of
``STATICFILES_FINDERS``, offers each bundle as a static file made by joining its sources, found
by the other finders, in order: ``collectstatic`` collects it like any other file (the manifest
storage gives it a hashed name, served with far-future, immutable caching), and the development
server and the tests find it the same way. The sources stay where they are, for the admin and
the PDFs that link them one by one.
"""

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.checks import Error
from django.core.files.storage import FileSystemStorage


def bundle_dir() -> Path:
    return Path(settings.STATIC_BUNDLE_DIR)


def build(name: str) -> Path:
    """Write the bundle ``name`` from its sources (only when they changed); return its path."""
    parts = []
    for source in settings.STATIC_BUNDLES[name]:
        path = _find_source(source)
        if path is None:
            raise FileNotFoundError(f"static bundle {name}: {source} not found")
        parts.append(f"/* {source} */\n" + Path(path).read_text(encoding="utf-8").rstrip() + "\n")
    content = "".join(parts)
    target = bundle_dir() / name
    if not target.exists() or target.read_text(encoding="utf-8") != content:
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_suffix(target.suffix + ".tmp")
        temporary.write_text(content, encoding="utf-8")
        temporary.replace(target)
    return target


def _find_source(source: str):
    for finder in finders.get_finders():
        if isinstance(finder, BundleFinder):
            continue
        found = finder.find(source)
        if found:
            return found
    return None


class BundleFinder(finders.BaseFinder):
    """Finds the bundles of ``STATIC_BUNDLES``, building them from their sources first."""

    def check(self, **kwargs):
        errors = []
        for name, sources in settings.STATIC_BUNDLES.items():
            for source in sources:
                if _find_source(source) is None:
                    errors.append(
                        Error(f"static bundle {name}: {source} is not a static file", id="lms.E030")
                    )
        return errors

    def find(self, path, find_all=False, **kwargs):
        if path not in settings.STATIC_BUNDLES:
            return [] if find_all else None
        found = str(build(path))
        return [found] if find_all else found

    def list(self, ignore_patterns):
        storage = FileSystemStorage(location=bundle_dir())
        for name in settings.STATIC_BUNDLES:
            build(name)
            yield name, storage
