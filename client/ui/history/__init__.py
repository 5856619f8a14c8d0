"""Conversations that last: the sidebar, branches between versions, Ctrl+K search and its
results, export and import, and the controller that wires them.
"""
