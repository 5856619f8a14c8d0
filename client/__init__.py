"""Thinkpane: a desktop chat client for reasoning models."""

# The one place the version is written: pyproject reads it (hatch), and so do
# `thinkpane --version`, the About dialog and packaging/build.
__version__ = "0.1.0"
