"""ncpi's adapters: the command line, the Slack app, the scheduler and the local Slack stand-in."""
