"""A simulated world of booking platforms around the real hub (``icalbridge simulate``)."""
