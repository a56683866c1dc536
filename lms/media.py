"""Private media (evidence photos, job results…) served only through views that have checked
who may see them; never from a public /media/ path.

``private_file_response`` answers with the file the way the deployment serves files:
- S3-compatible storage: a redirect to the storage's signed link (it expires,
  ``AWS_QUERYSTRING_EXPIRE``);
- ``MEDIA_ACCEL_REDIRECT`` set (nginx in front of MEDIA_ROOT): an ``X-Accel-Redirect`` to that
  internal location, so nginx sends the bytes;
- otherwise the application streams the file itself.
"""

import mimetypes

from django.conf import settings
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from django.utils.http import content_disposition_header


def private_file_response(file, *, filename: str | None = None, as_attachment: bool = False):
    """The file for someone a view has just let see it (``as_attachment``: saved, not shown)."""
    name = filename or file.name.rsplit("/", 1)[-1]
    if settings.MEDIA_STORAGE == "s3":
        parameters = (
            {"ResponseContentDisposition": content_disposition_header(True, name)}
            if as_attachment
            else None
        )
        return HttpResponseRedirect(file.storage.url(file.name, parameters=parameters))
    prefix = settings.MEDIA_ACCEL_REDIRECT
    if prefix:
        response = HttpResponse(content_type=mimetypes.guess_type(name)[0] or "")
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + file.name
        if as_attachment:
            response["Content-Disposition"] = content_disposition_header(True, name)
    else:
        response = FileResponse(file.open("rb"), filename=name, as_attachment=as_attachment)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
