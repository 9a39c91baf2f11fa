"""`python -m bot.cli` is the same as the `ncpi` command."""

from bot.cli import main

raise SystemExit(main())
