"""The desktop window: every widget of Thinkpane, and the only package that imports PySide6.

`client.ui.app.run_app()` starts it. Everything below the window (turns, the store, rendering,
pricing) lives in Qt-free packages; this package only shows them and forwards the user's intent.
See ARCHITECTURE.md (Threads; Rendering model output safely; What a desktop user expects).
"""
