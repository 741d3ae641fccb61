"""A trigram index for substring search of people on PostgreSQL (SQLite scans; same results)."""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS directory_person_search_trgm "
    "ON directory_person USING gin (search_document gin_trgm_ops)",
]
DROP = ["DROP INDEX IF EXISTS directory_person_search_trgm"]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("directory", "0002_profile_presence_search")]
    operations = [migrations.RunPython(run(CREATE), run(DROP))]
