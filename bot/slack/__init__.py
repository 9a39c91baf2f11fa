"""The Slack front end: Bolt app, listeners, Block Kit, gateway and sender."""
