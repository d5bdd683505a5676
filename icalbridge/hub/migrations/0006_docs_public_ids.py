"""Store the API id of API tokens, agenda feeds, memberships and webhook targets.

The API named these rows by a UUID derived from their kind and primary key, and found one
by deriving the id of every candidate row. Each row now stores that same value, so that
the ids clients already hold keep working, and a lookup is one indexed query. New rows get
a random UUID. The namespace is the one ``icalbridge.api.ids`` derived with, copied here
because a migration must not change when the code does.
"""

import uuid

from django.db import migrations, models

NAMESPACE = uuid.UUID("4f1f2b7e-5d1c-4b0e-9a55-6c3b8a1d2e90")
KINDS = {
    "apitoken": "api-token",
    "agendafeed": "agenda-feed",
    "membership": "membership",
    "webhooktarget": "webhook",
}


def fill_the_ids_clients_hold(apps, schema_editor):
    for model_name, kind in KINDS.items():
        model = apps.get_model("hub", model_name)
        rows = list(model.objects.only("pk"))
        for row in rows:
            row.public_id = uuid.uuid5(NAMESPACE, f"{kind}:{row.pk}")
        model.objects.bulk_update(rows, ["public_id"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("hub", "0005_webhook_audit_actions"),
    ]

    operations = [
        *(
            migrations.AddField(
                model_name=model_name,
                name="public_id",
                field=models.UUIDField(editable=False, null=True),
            )
            for model_name in KINDS
        ),
        migrations.RunPython(fill_the_ids_clients_hold, migrations.RunPython.noop),
        *(
            migrations.AlterField(
                model_name=model_name,
                name="public_id",
                field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
            )
            for model_name in KINDS
        ),
    ]
