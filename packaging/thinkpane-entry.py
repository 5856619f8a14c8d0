"""The bundle's entry point: the same `thinkpane` command the wheel installs.

Formulas are typeset in a worker process started with multiprocessing's spawn method; frozen,
that runs this executable again with multiprocessing's arguments, and `freeze_support()` turns
such a run into the worker (and exits) before anything of the app is imported.
"""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()

    from client.cli import main

    sys.exit(main())
