"""Bookings a host enters by hand, from the web pages or the API; exports follow at once."""
