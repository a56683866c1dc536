"""modelsearch's SQLite (FTS5) backend puts each search term between double quotes without
doubling the quotes inside it, and hands a quoted phrase to FTS5 as raw query syntax, so a
search for ``"`` or ``a" OR`` is an FTS5 syntax error (a server error on every admin search).
Here each term and phrase becomes one FTS5 string with its quotes doubled: the user's text is
always data, never query syntax.

Written for modelsearch 1.3.2 (Wagtail 8.0); ``lms.checks.compat_versions`` fails on others.
"""

from importlib.metadata import version

PACKAGE, VERSIONS = "modelsearch", ("1.3.2",)


def installed_version() -> str:
    return version(PACKAGE)


def install():
    from django.db import connection

    if connection.vendor != "sqlite":
        return  # the PostgreSQL backend quotes its terms itself
    from modelsearch.backends.database.sqlite import query, sqlite
    from modelsearch.query import Phrase

    def as_sql(self, compiler, connection):
        param = self.value.replace('"', '""').replace("'", "''").replace("\\", "\\\\")
        return ('"%s"*' if self.prefix else '"%s"'), [param]

    query.Lexeme.as_sql = as_sql

    original = sqlite.SQLiteSearchQueryCompiler.build_search_query_content

    def build_search_query_content(self, search_query, config=None):
        if isinstance(search_query, Phrase):
            return query.SearchQueryExpression(query.Lexeme(search_query.query_string))
        return original(self, search_query, config=config)

    sqlite.SQLiteSearchQueryCompiler.build_search_query_content = build_search_query_content
