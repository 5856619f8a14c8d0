"""The Help menu (keyboard shortcuts, About, the README) and View → Theme, clicked as a user does."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QMenu, QTableWidget

from client import __version__


def menu_titled(window, title: str) -> QMenu | None:
    for action in window.menuBar().actions():
        if isinstance(action.menu(), QMenu) and action.text() == title:
            return action.menu()
    return None


def _item(window, menu: str, text: str):
    found = menu_titled(window, menu)
    assert found is not None, menu
    return next(a for a in found.actions() if a.text() == text)


def test_keyboard_shortcuts_lists_every_shortcut_in_the_menus(qtbot, window):
    _item(window, "&Help", "&Keyboard Shortcuts").trigger()
    qtbot.waitUntil(lambda: window.help.dialog is not None and window.help.dialog.isVisible())
    table = window.help.dialog.findChild(QTableWidget)
    rows = {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())}
    for command, keys in (
        ("New Conversation", "Ctrl+N"), ("Find in Conversation", "Ctrl+F"),
        ("Search Everything", "Ctrl+K"), ("Settings", "Ctrl+,"), ("Stop", "Esc"),
        ("Copy Answer", "Ctrl+Shift+C"), ("Quit", "Ctrl+Q"), ("Keyboard Shortcuts", "Ctrl+/"),
    ):  # fmt: skip
        assert rows.get(command) == keys, (command, rows)
    window.help.dialog.close()


def test_about_says_the_version_the_data_folder_and_the_licences(qtbot, window, thinkpane_home):
    _item(window, "&Help", "&About Thinkpane").trigger()
    qtbot.waitUntil(lambda: window.help.dialog is not None and window.help.dialog.isVisible())
    text = window.help.dialog.findChild(QLabel).text()
    assert f"Thinkpane {__version__}" in text and str(thinkpane_home) in text
    assert "httpx" in text and "BSD-3-Clause" in text and "LGPL" in text
    window.help.dialog.close()


def test_read_me_opens_the_readme(qtbot, window, links):
    _item(window, "&Help", "&Read Me").trigger()
    assert len(links.opened) == 1 and links.opened[0].endswith("README.md")


def test_view_theme_switches_without_settings_and_is_remembered(qtbot, window):
    theme_menu = next(
        a.menu() for a in menu_titled(window, "&View").actions() if a.text() == "&Theme"
    )
    actions = {a.text(): a for a in theme_menu.actions()}
    assert set(actions) == {"Follow the system", "Light", "Dark"}
    actions["Dark"].trigger()
    assert window.theme.name == "dark" and actions["Dark"].isChecked()
    qtbot.waitUntil(lambda: window.store.get_setting("ui.theme") == "dark")
    actions["Light"].trigger()
    assert window.theme.name == "light"
