from django.contrib.auth.backends import ModelBackend


class EmployeeNumberBackend(ModelBackend):
    """Sign in with the employee number (工号).

    An employee's username is their employee number (``lms.services`` keeps it so, in upper
    case), so the standard backend does the work; surrounding white space and letter case are
    forgiven because numbers are often typed from printed lists.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            return super().authenticate(request, password=password, **kwargs)
        username = username.strip()
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None and username.upper() != username:
            user = super().authenticate(
                request, username=username.upper(), password=password, **kwargs
            )
        return user


def lockout_username(request, credentials):
    """The key django-axes counts failures under: the employee number as the backend reads it."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    return username.strip().upper()
