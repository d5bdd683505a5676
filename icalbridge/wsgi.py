from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "icalbridge.settings")
django_application = get_wsgi_application()

# Imported once the app registry is ready: the feed path reads the models.
from icalbridge.feeds.wsgi import with_lean_feed_path  # noqa: E402

application = with_lean_feed_path(django_application)
