"""ncpi core: the action plan, its updates, calendar, deliveries and summaries, free of any chat platform."""
