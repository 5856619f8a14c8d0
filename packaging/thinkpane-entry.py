"""The bundle's entry point: the same `thinkpane` command the wheel installs."""

import sys

from client.cli import main

sys.exit(main())
