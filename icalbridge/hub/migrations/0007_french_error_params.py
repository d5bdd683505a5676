"""Keep the values of an import error's sentence, so it reads in each host's language."""

from __future__ import annotations

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("hub", "0006_docs_public_ids")]

    operations = [
        migrations.AddField(
            model_name="channel",
            name="last_error_params",
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="importrun",
            name="error_params",
            field=models.JSONField(blank=True, null=True),
        ),
    ]
