"""Rebuild every person's search text: phone extensions (5110) are now searchable too."""

from django.db import migrations


def rebuild(apps, schema_editor):
    from directory.services import search_document_for

    Person = apps.get_model("directory", "Person")
    people = list(Person.objects.select_related("team"))
    for person in people:
        person.search_document = search_document_for(person)
    Person.objects.bulk_update(people, ["search_document"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("directory", "0004_titles_in_search")]
    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop)]
