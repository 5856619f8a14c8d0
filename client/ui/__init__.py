"""The desktop window: every widget of Thinkpane, and the only package that imports PySide6.

`client.ui.app.run_app()` starts it. Everything below the window (turns, the store, rendering,
pricing) lives in Qt-free packages; this package only shows them and forwards the user's intent.

It is a house of rooms, one a feature: conversation/ (the column, turn cards, the window's live
picture of a turn, rendering, links), composer/ (prompt, model picker, reasoning controls),
inspector/ (the reasoning pane and its find bar), audit/ (steps, verdicts, the critic), ledger/
(spend, the next-turn line and budgets), history/ (the conversations, branches, Ctrl+K, export
and import), turns/ (sending, the runner, saving). At the top: the window, which builds the
rooms' controllers and places their widgets; app and start-up; theme; actions (every menu
command); jobs (background work); focus (the conversation shown, which the controllers follow).
A controller is given what it works with, typed, and never the window.
"""
