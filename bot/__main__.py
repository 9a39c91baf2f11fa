"""`python -m bot` is the same as the `ncpi` command."""

from bot.cli import main

raise SystemExit(main())
