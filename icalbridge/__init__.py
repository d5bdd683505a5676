"""icalbridge: keep holiday-rental and agenda calendars in sync through iCalendar links."""

__version__ = "0.1.0"
