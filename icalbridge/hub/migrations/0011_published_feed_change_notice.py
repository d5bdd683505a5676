"""Announce every change of a published feed to the web processes (PostgreSQL only).

Each web process keeps the feeds it served in memory and LISTENs on this channel
(icalbridge.feeds.feed_changes): the trigger says which row changed, whatever wrote it
(the ORM, a bulk update, a cascade delete, plain SQL), and ``*`` when the table is
emptied. SQLite needs nothing: its web processes read the database's data_version.
"""

from django.db import migrations

CHANNEL = "icalbridge_feed_changed"

CREATE = [
    f"""
CREATE OR REPLACE FUNCTION icalbridge_feed_changed() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        PERFORM pg_notify('{CHANNEL}', '*');
    ELSE
        PERFORM pg_notify('{CHANNEL}', OLD.id::text);
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql""",
    """CREATE TRIGGER icalbridge_feed_changed AFTER UPDATE OR DELETE ON hub_publishedfeed
    FOR EACH ROW EXECUTE FUNCTION icalbridge_feed_changed()""",
    """CREATE TRIGGER icalbridge_feeds_emptied AFTER TRUNCATE ON hub_publishedfeed
    FOR EACH STATEMENT EXECUTE FUNCTION icalbridge_feed_changed()""",
]

DROP = [
    "DROP TRIGGER IF EXISTS icalbridge_feeds_emptied ON hub_publishedfeed",
    "DROP TRIGGER IF EXISTS icalbridge_feed_changed ON hub_publishedfeed",
    "DROP FUNCTION IF EXISTS icalbridge_feed_changed()",
]


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("hub", "0010_unit_booked_by_the_hour"),
    ]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
