"""Core results as Slack Block Kit."""
