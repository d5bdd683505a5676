"""What an organization is made of beyond its rows: its owners, members, quotas and audit trail.

Shared by the web pages, the API and the command line, so that each change behaves the
same whichever face makes it.
"""
