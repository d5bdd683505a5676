"""What humans receive: alerts by e-mail and webhook, every delivery recorded."""
