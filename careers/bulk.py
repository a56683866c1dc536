"""Insert any number of rows in ONE query by passing them as a single JSON parameter.

``bulk_create`` splits its INSERT into batches (SQLite allows 999 parameters per query), so the
number of queries grows with the number of rows. Appraisal must run a fixed number of queries
for the whole company, so its writes send every row as one JSON array that the database unpacks
(SQLite ``json_each``, PostgreSQL ``jsonb_array_elements``).
"""

import datetime
import json
from decimal import Decimal

from django.db import connections, models, router


def _json_default(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _prepare(field, value, connection):
    if value is None:
        return None
    if isinstance(field, models.JSONField):
        return value  # nested JSON, unpacked as JSON by the query
    if isinstance(field, models.DateTimeField):
        value = field.get_db_prep_value(value, connection)
        return value.isoformat(sep=" ") if hasattr(value, "isoformat") else value
    if isinstance(field, models.DecimalField):
        return str(value)
    if isinstance(field, models.BooleanField):
        return bool(value)
    return field.get_db_prep_value(value, connection)


def json_insert(model, rows: list[dict]) -> int:
    """Insert ``rows`` (dicts of field name → value) into ``model``'s table in one query."""
    if not rows:
        return 0
    using = router.db_for_write(model)
    connection = connections[using]
    names = list(rows[0])
    fields = [model._meta.get_field(name) for name in names]
    payload = json.dumps(
        [
            [_prepare(f, row[n], connection) for f, n in zip(fields, names, strict=True)]
            for row in rows
        ],
        default=_json_default,
        ensure_ascii=False,
    )
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    table = quote(model._meta.db_table)
    if connection.vendor == "sqlite":
        selects = [f"json_extract(value, '$[{index}]')" for index in range(len(fields))]
        sql = f"INSERT INTO {table} ({columns}) SELECT {', '.join(selects)} FROM json_each(%s)"
    elif connection.vendor == "postgresql":
        selects = []
        for index, field in enumerate(fields):
            if isinstance(field, models.JSONField):
                selects.append(f"(value -> {index})")
            else:
                selects.append(f"(value ->> {index})::{field.db_type(connection)}")
        sql = (
            f"INSERT INTO {table} ({columns}) SELECT {', '.join(selects)} "
            f"FROM jsonb_array_elements(%s::jsonb) AS value"
        )
    else:  # other databases: Django's batched insert
        model.objects.using(using).bulk_create([model(**row) for row in rows])
        return len(rows)
    with connection.cursor() as cursor:
        cursor.execute(sql, [payload])
    return len(rows)
