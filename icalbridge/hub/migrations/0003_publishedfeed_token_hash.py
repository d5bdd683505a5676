import hashlib

from django.db import migrations, models


def fill_token_hashes(apps, schema_editor):
    feeds = apps.get_model("hub", "PublishedFeed")
    for feed in feeds.objects.only("pk", "token").iterator():
        digest = hashlib.sha256(feed.token.encode("utf-8", "surrogatepass")).hexdigest()
        feeds.objects.filter(pk=feed.pk).update(token_hash=digest)


class Migration(migrations.Migration):
    dependencies = [
        ("hub", "0002_alerting"),
    ]

    operations = [
        migrations.AddField(
            model_name="publishedfeed",
            name="token_hash",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(fill_token_hashes, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="publishedfeed",
            name="token_hash",
            field=models.CharField(editable=False, max_length=64, unique=True),
        ),
    ]
