"""A real OpenLDAP server (Debian's ``slapd``) on a free loopback port, for tests and benchmarks.

``Slapd`` writes a configuration and a seeded directory into a temporary folder (``slapadd``,
no system service), starts ``slapd`` in the foreground and stops it again within bounded time.
The directory looks like a company's: people under ``ou=people`` (inetOrgPerson with the
employee number in ``uid``), role groups under ``ou=groups`` (groupOfNames), a read-only
service account for the application, and the password-policy overlay so that an account can
be locked the way an administrator locks one (``pwdAccountLockedTime``).
"""

import base64
import hashlib
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from tests.loopback import LoopbackProcess, free_port

SUFFIX = "dc=grid,dc=test"
ADMIN_DN = f"cn=admin,{SUFFIX}"
ADMIN_PASSWORD = "admin-secret"
SERVICE_DN = f"cn=grid-academy,ou=services,{SUFFIX}"
SERVICE_PASSWORD = "service-secret"
PEOPLE = f"ou=people,{SUFFIX}"
GROUPS = f"ou=groups,{SUFFIX}"
POLICY_DN = f"cn=default,ou=policies,{SUFFIX}"
LOCKED = "000001010000Z"  # ppolicy: locked by an administrator until unlocked

SLAPD = shutil.which("slapd") or ("/usr/sbin/slapd" if os.path.exists("/usr/sbin/slapd") else None)
SLAPADD = shutil.which("slapadd") or (
    "/usr/sbin/slapadd" if os.path.exists("/usr/sbin/slapadd") else None
)
MISSING = None if SLAPD and SLAPADD else "slapd is not installed (apt-get install slapd ldap-utils)"


@dataclass
class Person:
    number: str
    name: str
    password: str
    mail: str = ""
    phone: str = ""
    department: str = ""
    groups: list[str] = field(default_factory=list)
    locked: bool = False

    @property
    def dn(self):
        return person_dn(self.number)


def person_dn(number: str) -> str:
    return f"uid={number},{PEOPLE}"


def group_dn(name: str) -> str:
    return f"cn={name},{GROUPS}"


def ssha(password: str) -> str:
    salt = os.urandom(8)
    digest = hashlib.sha1(password.encode() + salt).digest()
    return "{SSHA}" + base64.b64encode(digest + salt).decode()


def _entry(dn, attrs):
    lines = [f"dn: {dn}"]
    for name, values in attrs.items():
        for value in values if isinstance(values, list) else [values]:
            if value == "":
                continue
            if any(ord(ch) > 127 for ch in value):
                lines.append(f"{name}:: {base64.b64encode(value.encode()).decode()}")
            else:
                lines.append(f"{name}: {value}")
    return "\n".join(lines) + "\n"


def seed_ldif(people: list[Person], groups: list[str]) -> str:
    entries = [
        _entry(SUFFIX, {"objectClass": ["dcObject", "organization"], "dc": "grid", "o": "Grid"}),
        _entry(PEOPLE, {"objectClass": "organizationalUnit", "ou": "people"}),
        _entry(GROUPS, {"objectClass": "organizationalUnit", "ou": "groups"}),
        _entry(f"ou=services,{SUFFIX}", {"objectClass": "organizationalUnit", "ou": "services"}),
        _entry(f"ou=policies,{SUFFIX}", {"objectClass": "organizationalUnit", "ou": "policies"}),
        _entry(
            POLICY_DN,
            {
                "objectClass": ["pwdPolicy", "device"],
                "cn": "default",
                "pwdAttribute": "userPassword",
                "pwdLockout": "TRUE",
            },
        ),
        _entry(
            SERVICE_DN,
            {
                "objectClass": ["applicationProcess", "simpleSecurityObject"],
                "cn": "grid-academy",
                "userPassword": ssha(SERVICE_PASSWORD),
            },
        ),
    ]
    for person in people:
        attrs = {
            "objectClass": ["inetOrgPerson"],
            "uid": person.number,
            "cn": person.name,
            "sn": person.name[:1] or person.number,
            "displayName": person.name,
            "userPassword": ssha(person.password),
            "mail": person.mail,
            "telephoneNumber": person.phone,
            "departmentNumber": person.department,
        }
        if person.locked:
            attrs["pwdAccountLockedTime"] = LOCKED
        entries.append(_entry(person.dn, attrs))
    for name in groups:
        # groupOfNames needs a member: the service account keeps every group non-empty.
        members = [p.dn for p in people if name in p.groups] + [SERVICE_DN]
        group = {"objectClass": "groupOfNames", "cn": name, "member": members}
        entries.append(_entry(group_dn(name), group))
    return "\n".join(entries)


CONFIG = """\
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload ppolicy
pidfile {folder}/slapd.pid
argsfile {folder}/slapd.args
database mdb
maxsize 104857600
suffix "{suffix}"
rootdn "{admin_dn}"
rootpw {admin_password}
directory {folder}/data
index uid,cn,member eq
# The application's service account reads the whole directory a page at a time (the sync);
# slapd's default of 500 entries in all would cut it short, as a real directory's would.
limits dn.exact="{service_dn}" size.soft=unlimited size.hard=unlimited size.prtotal=unlimited
overlay ppolicy
ppolicy_default "{policy_dn}"
"""


class Slapd(LoopbackProcess):
    """One slapd process serving a seeded directory on ``self.uri`` until ``stop()``."""

    name = "slapd"

    def __init__(self, folder: Path, people: list[Person], groups: list[str]):
        super().__init__()
        self.folder = Path(folder)
        self.people = people
        self.groups = groups

    @property
    def uri(self) -> str:
        return f"ldap://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20.0) -> "Slapd":
        (self.folder / "data").mkdir(parents=True, exist_ok=True)
        config = self.folder / "slapd.conf"
        config.write_text(
            CONFIG.format(
                folder=self.folder,
                suffix=SUFFIX,
                admin_dn=ADMIN_DN,
                admin_password=ADMIN_PASSWORD,
                policy_dn=POLICY_DN,
                service_dn=SERVICE_DN,
            )
        )
        port = free_port()
        seed = self.folder / "seed.ldif"
        seed.write_text(seed_ldif(self.people, self.groups), encoding="utf-8")
        subprocess.run(
            [SLAPADD, "-q", "-f", str(config), "-l", str(seed)],
            check=True,
            capture_output=True,
            timeout=60,
        )
        return self.launch(
            [SLAPD, "-f", str(config), "-h", f"ldap://127.0.0.1:{port}/", "-d", "0"],
            port=port,
            log_path=self.folder / "slapd.log",
            timeout=timeout,
        )

    def admin(self):
        """A python-ldap connection bound as the directory's administrator (for changes)."""
        import ldap

        conn = ldap.initialize(self.uri, bytes_mode=False)
        conn.set_option(ldap.OPT_NETWORK_TIMEOUT, 5)
        conn.simple_bind_s(ADMIN_DN, ADMIN_PASSWORD)
        return conn

    def set_groups(self, number: str, add=(), remove=()):
        import ldap

        conn = self.admin()
        try:
            for name in add:
                conn.modify_s(
                    group_dn(name), [(ldap.MOD_ADD, "member", [person_dn(number).encode()])]
                )
            for name in remove:
                conn.modify_s(
                    group_dn(name), [(ldap.MOD_DELETE, "member", [person_dn(number).encode()])]
                )
        finally:
            conn.unbind_s()

    def set_attribute(self, number: str, name: str, value: str | None):
        import ldap

        conn = self.admin()
        try:
            if value is None:
                conn.modify_s(person_dn(number), [(ldap.MOD_DELETE, name, None)])
            else:
                conn.modify_s(person_dn(number), [(ldap.MOD_REPLACE, name, [value.encode()])])
        finally:
            conn.unbind_s()

    def lock(self, number: str):
        self.set_attribute(number, "pwdAccountLockedTime", LOCKED)

    def remove(self, number: str):
        import ldap

        conn = self.admin()
        try:
            for name in self.groups:
                try:
                    conn.modify_s(
                        group_dn(name), [(ldap.MOD_DELETE, "member", [person_dn(number).encode()])]
                    )
                except (ldap.NO_SUCH_ATTRIBUTE, ldap.OBJECT_CLASS_VIOLATION):
                    pass
            conn.delete_s(person_dn(number))
        finally:
            conn.unbind_s()


# The directory most tests use: departments by the codes of tests.conftest.make_company.
GROUPS_SEEDED = ["ga-trainers", "ga-hr", "ga-managers", "wifi-users"]
GROUP_ROLES = "ga-trainers:Trainer,ga-hr:HR,ga-managers:Department manager"


def company_people() -> list[Person]:
    return [
        Person(
            "D1001",
            "张伟",
            "zhang-pass-1",
            mail="zhangwei@grid.test",
            phone="13800000001",
            department="C-A-1",
            groups=["ga-trainers", "wifi-users"],
        ),
        Person("D1002", "李娜", "li-pass-2", department="营销部", groups=["ga-hr"]),
        Person("D1003", "王芳", "wang-pass-3", department="C-A-2", locked=True),
        Person("D1004", "赵强", "zhao-pass-4", department="某个未知部门"),
    ]


def directory_settings(settings, server: "Slapd", *, default_department="C", position="DIR-P"):
    """Point the application at ``server`` (pytest-django's ``settings`` or Django's)."""
    settings.DIRECTORY_LDAP_URI = server.uri
    settings.DIRECTORY_LDAP_BIND_DN = SERVICE_DN
    settings.DIRECTORY_LDAP_BIND_PASSWORD = SERVICE_PASSWORD
    settings.DIRECTORY_LDAP_USER_BASE = PEOPLE
    settings.DIRECTORY_LDAP_GROUP_BASE = GROUPS
    settings.DIRECTORY_LDAP_DISABLED_FILTER = "(pwdAccountLockedTime=*)"
    settings.DIRECTORY_LDAP_TIMEOUT = 2
    settings.DIRECTORY_GROUP_ROLES = GROUP_ROLES
    settings.DIRECTORY_DEFAULT_DEPARTMENT = default_department
    settings.DIRECTORY_DEFAULT_POSITION = position
