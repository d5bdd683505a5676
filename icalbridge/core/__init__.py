"""The domain, in plain Python: no Django, no network, no clock (``now`` is passed in)."""
