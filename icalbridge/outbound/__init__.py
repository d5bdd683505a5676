"""Every request the hub makes to other people's servers, and the guard around it.

``fetch`` fetches feeds (time-outs, size cap, conditional GET, User-Agent); ``addresses``
refuses private addresses after DNS resolution, for feeds and webhook POSTs alike;
``policy`` reads those limits from the settings.
"""
