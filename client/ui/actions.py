"""The window's menus and keyboard shortcuts, in one table.

Every command a desktop user expects has a menu entry showing its shortcut (Ctrl+N, Ctrl+F,
Ctrl+K, Ctrl+,, Esc, Ctrl+Shift+C, Ctrl+Q), so the shortcuts are discoverable and there is one
QAction per command: the menu item, the shortcut and any button share it. Every command is
declared here, the features' too: a controller is handed the actions it answers and never adds
a menu item of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMainWindow

from client.ui.history.export_actions import EXPORT_TIPS, KINDS
from client.ui.theme import CHOICE_LABELS

SEND_REASONING_TIP = (
    "On: this conversation sends the model's earlier reasoning back with every prompt, where the "
    "provider accepts it, so the model sees how it thought before; each turn then costs more "
    "input tokens. Off: only what the provider requires goes back (Anthropic's signed thinking, "
    "OpenAI's encrypted reasoning, Gemini's thought signatures)."
)


@dataclass
class WindowActions:
    new_conversation: QAction
    rename_conversation: QAction
    delete_conversation: QAction
    settings: QAction
    quit: QAction
    copy_answer: QAction
    find: QAction
    search_everything: QAction
    stop: QAction
    retry: QAction
    system_prompt: QAction
    show_conversations: QAction
    show_inspector: QAction
    # The features' commands: the controllers named in the comments connect them.
    export_conversation: dict[str, QAction]  # by kind: markdown, html, json (history/export)
    import_conversation: QAction  # history/export
    import_conversation_copy: QAction  # history/export
    export_audit: QAction  # audit
    edit_prompt: QAction  # history
    regenerate: QAction  # history
    regenerate_chosen: QAction  # history
    previous_version: QAction  # history
    next_version: QAction  # history
    send_reasoning: QAction  # history
    compare: QAction  # compare
    spend: QAction  # ledger
    prices: QAction  # ledger
    theme: dict[str, QAction]  # View → Theme, by choice: system, light, dark (the window)
    keyboard_shortcuts: QAction  # help
    read_me: QAction  # help
    about: QAction  # help


def _action(
    window: QMainWindow, text: str, shortcut: QKeySequence | str | None = None, tip: str = ""
) -> QAction:
    action = QAction(text, window)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    if tip:
        action.setStatusTip(tip)
    window.addAction(action)  # shortcuts work even when the menu bar is hidden
    return action


def build_actions(window: QMainWindow) -> WindowActions:
    """Create the actions and the menu bar that shows them."""
    a = WindowActions(
        new_conversation=_action(window, "&New Conversation", "Ctrl+N", "Start a new conversation"),
        rename_conversation=_action(
            window, "&Rename Conversation", "F2", "Rename this conversation"
        ),
        delete_conversation=_action(
            window, "&Delete Conversation", None, "Delete this conversation (Undo brings it back)"
        ),
        settings=_action(
            window, "&Settings…", "Ctrl+,", "API keys, local servers, default model, theme"
        ),
        quit=_action(
            window, "&Quit", "Ctrl+Q", "Quit Thinkpane; streaming answers are stopped and kept"
        ),
        copy_answer=_action(
            window, "&Copy Answer", "Ctrl+Shift+C", "Copy the selected answer as markdown"
        ),
        find=_action(window, "&Find in Conversation…", "Ctrl+F", "Find text in this conversation"),
        search_everything=_action(
            window, "&Search Everything…", "Ctrl+K", "Search all prompts, answers and reasoning"
        ),
        stop=_action(window, "S&top", "Esc", "Stop the answer; what arrived is kept"),
        retry=_action(window, "&Retry", None, "Send the selected prompt again"),
        system_prompt=_action(
            window, "S&ystem Prompt…", None, "The instructions sent before every prompt"
        ),
        show_conversations=_action(
            window, "&Conversations", "Ctrl+Shift+L", "Show or hide the conversation list"
        ),
        show_inspector=_action(
            window, "&Reasoning Inspector", "Ctrl+Shift+R", "Show or hide the reasoning inspector"
        ),
        export_conversation={
            kind: _action(window, f"Export Conversation as {label}…", None, EXPORT_TIPS[kind])
            for kind, (label, _suffix, _filter) in KINDS.items()
        },
        import_conversation=_action(
            window,
            "&Import Conversation…",
            None,
            "Add a conversation from a Thinkpane JSON export (one already here is only opened)",
        ),
        import_conversation_copy=_action(
            window,
            "Import Conversation as a &Copy…",
            None,
            "Add a conversation from a JSON export as a new one, even when it is already here",
        ),
        export_audit=_action(
            window,
            "Export &Audit Report…",
            None,
            "Save the selected turn's audit, your verdicts and any critic as Markdown or HTML",
        ),
        edit_prompt=_action(
            window, "&Edit Prompt…", None, "Edit the selected prompt and send it as a new version"
        ),
        regenerate=_action(
            window,
            "Re&generate",
            "Ctrl+R",
            "Ask the selected turn again, as a new version beside it",
        ),
        regenerate_chosen=_action(
            window,
            "Regenerate with the &Chosen Model",
            None,
            "Ask again with the model and effort chosen in the composer",
        ),
        previous_version=_action(
            window, "&Previous Version", "Alt+Left", "Show the version before the selected turn's"
        ),
        next_version=_action(
            window, "Ne&xt Version", "Alt+Right", "Show the version after the selected turn's"
        ),
        send_reasoning=_action(window, "Send &Reasoning Back", None, SEND_REASONING_TIP),
        compare=_action(
            window,
            "Co&mpare…",
            "Ctrl+Shift+Return",
            "Send the prompt at several efforts, models and samples, side by side",
        ),
        spend=_action(
            window,
            "&Spend…",
            "Ctrl+Shift+S",
            "What the day, week or month cost, by model, provider or conversation",
        ),
        prices=_action(
            window,
            "&Prices…",
            "Ctrl+Shift+P",
            "Every model's rates, where they come from and since when; your own price; reprice",
        ),
        theme={choice: QAction(label, window) for choice, label in CHOICE_LABELS.items()},
        keyboard_shortcuts=_action(
            window, "&Keyboard Shortcuts", "Ctrl+/", "Every keyboard shortcut"
        ),
        read_me=_action(window, "&Read Me", None, "How to use Thinkpane (opens the README)"),
        about=_action(window, "&About Thinkpane", None, "Version, data folder and licences"),
    )
    for kind, action in a.export_conversation.items():
        action.setData(kind)
    a.export_audit.setEnabled(False)
    a.send_reasoning.setCheckable(True)
    a.send_reasoning.setToolTip(SEND_REASONING_TIP)
    a.send_reasoning.setEnabled(False)
    a.stop.setEnabled(False)
    for toggle in (a.show_conversations, a.show_inspector):
        toggle.setCheckable(True)
        toggle.setChecked(True)
    themes = QActionGroup(window)  # one theme checked at a time
    for choice, action in a.theme.items():
        action.setCheckable(True)
        action.setData(choice)
        themes.addAction(action)
    a.about.setMenuRole(QAction.MenuRole.AboutRole)
    bar = window.menuBar()
    file_menu = bar.addMenu("&File")
    for action in (a.new_conversation, a.rename_conversation, a.delete_conversation):
        file_menu.addAction(action)
    file_menu.addSeparator()
    for action in (
        *a.export_conversation.values(),
        a.import_conversation,
        a.import_conversation_copy,
    ):
        file_menu.addAction(action)
    file_menu.addSeparator()
    file_menu.addAction(a.settings)
    file_menu.addSeparator()
    file_menu.addAction(a.quit)
    edit_menu = bar.addMenu("&Edit")
    for action in (a.copy_answer, a.find, a.search_everything):
        edit_menu.addAction(action)
    turn_menu = bar.addMenu("&Turn")
    turn_menu.setToolTipsVisible(True)  # the reasoning setting explains itself
    for action in (
        a.stop,
        a.retry,
        a.system_prompt,
        a.export_audit,
        a.edit_prompt,
        a.regenerate,
        a.regenerate_chosen,
        a.previous_version,
        a.next_version,
        a.send_reasoning,
        a.compare,
    ):
        turn_menu.addAction(action)
    view_menu = bar.addMenu("&View")
    for action in (a.show_conversations, a.show_inspector, a.spend, a.prices):
        view_menu.addAction(action)
    theme_menu = view_menu.addMenu("&Theme")  # light, dark or the system's, without Settings
    for action in a.theme.values():
        theme_menu.addAction(action)
    help_menu = bar.addMenu("&Help")
    for action in (a.keyboard_shortcuts, a.read_me, a.about):
        help_menu.addAction(action)
    return a
