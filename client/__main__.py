"""`python -m client` runs the same entry point as the `thinkpane` command."""

from client.cli import main

raise SystemExit(main())
