"""File → Export and Import: JSON round-trips a branched conversation exactly, Markdown and HTML
show the branch on screen, and a bad file is refused with a sentence and nothing added."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from client.exports import export_document
from tests.support.chat import simple_stream
from tests.ui.conftest import CHAT_PATH, send, stream_reply, use_replay


def _shape(store, conversation_id: str) -> dict:
    """Everything of the export except the ids, with parents given by position."""
    document = export_document(store, conversation_id)
    turns = document["turns"]
    place = {t["id"]: i for i, t in enumerate(turns)}
    for turn in turns:
        turn["parent"] = place.get(turn.pop("parent_id"))
        del turn["id"]
    conversation = dict(document["conversation"])
    del conversation["id"]
    return {"conversation": conversation, "turns": turns}


def _branched_conversation(qtbot, window, replay) -> str:
    replay.add(
        CHAT_PATH,
        stream_reply(simple_stream("Think about 2 + 2.", "**4**")),
        stream_reply(simple_stream("Check twice.", "Four, surely.")),
    )
    use_replay(window, replay)
    send(qtbot, window, "What is 2 + 2?")
    qtbot.waitUntil(
        lambda: bool(window.conversation.states()) and not window.runner.busy, timeout=10_000
    )
    first = window.conversation.states()[0]
    widget = window.conversation.widget_for(first.id)
    widget.open_editor()
    widget.editor.setPlainText("What is 2 + 2, in words?")
    qtbot.mouseClick(widget.findChild(QPushButton, "send_edit"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: window.conversation.states()[0].id != first.id and not window.runner.busy,
        timeout=10_000,
    )
    return window.current_id


def test_export_then_import_gives_an_equal_conversation(qtbot, window, replay, store, tmp_path):
    conversation_id = _branched_conversation(qtbot, window, replay)
    exports = window.history.exports
    for kind, name in (("json", "c.json"), ("markdown", "c.md"), ("html", "c.html")):
        with qtbot.waitSignal(exports.sig_conversation_exported, timeout=10_000):
            exports.export_to(tmp_path / name, kind)
        assert str(tmp_path / name) in window.statusBar().currentMessage()
    markdown = (tmp_path / "c.md").read_text(encoding="utf-8")
    assert "in words?" in markdown and "Four, surely." in markdown  # the branch on screen
    assert "Think about 2 + 2." not in markdown
    assert "Four, surely." in (tmp_path / "c.html").read_text(encoding="utf-8")

    with qtbot.waitSignal(exports.sig_conversation_already_here, timeout=10_000) as here:
        exports.import_from(tmp_path / "c.json")  # it is here already: nothing changes
    assert here.args[0] == conversation_id
    assert "already here" in window.statusBar().currentMessage()
    assert len(store.list_conversations()) == 1

    with qtbot.waitSignal(exports.sig_conversation_imported, timeout=10_000) as imported:
        exports.import_from(tmp_path / "c.json", as_copy=True)
    new_id = imported.args[0]
    assert new_id != conversation_id
    assert _shape(store, new_id) == _shape(store, conversation_id)
    assert len(store.turns(new_id)) == 2  # both versions came along
    qtbot.waitUntil(lambda: window.current_id == new_id and bool(window.conversation.states()))
    qtbot.waitUntil(lambda: window.sidebar.list.count() == 2)
    assert "Imported" in window.statusBar().currentMessage()


def test_a_file_that_is_not_an_export_is_refused_with_a_sentence(qtbot, window, store, tmp_path):
    bad = tmp_path / "notes.json"
    bad.write_text("these are my notes, not JSON", encoding="utf-8")
    exports = window.history.exports
    with qtbot.waitSignal(exports.sig_transfer_failed, timeout=10_000) as failed:
        exports.import_from(bad)
    assert failed.args[0].startswith("Notes.json is not JSON")
    assert window.statusBar().currentMessage() == failed.args[0]

    other = tmp_path / "other.json"
    other.write_text('{"format": "something-else"}', encoding="utf-8")
    with qtbot.waitSignal(exports.sig_transfer_failed, timeout=10_000) as failed:
        exports.import_from(other)
    assert "not a Thinkpane export" in failed.args[0]
    assert store.list_conversations() == []


def test_the_file_menu_has_export_and_import(window):
    file_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&File")
    texts = [a.text() for a in file_menu.actions() if not a.isSeparator()]
    settings = texts.index("&Settings…")
    for text in (
        "Export Conversation as Markdown…",
        "Export Conversation as HTML…",
        "Export Conversation as JSON…",
        "&Import Conversation…",
    ):
        assert texts.index(text) < settings
    assert not window.history.exports.export_actions["json"].isEnabled()  # nothing to export yet


def test_the_file_menu_offers_import_as_a_copy(qtbot, window):
    exports = window.history.exports
    file_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&File")
    texts = [a.text() for a in file_menu.actions()]
    assert "&Import Conversation…" in texts and "Import Conversation as a &Copy…" in texts
    assert exports.import_copy_action.isEnabled()


def test_a_file_the_desktop_hands_the_app_is_imported_and_anything_else_is_said(
    qtbot, window, store, tmp_path
):
    # `thinkpane %U` from the menu entry: an export dropped on the launcher
    from client.ui.app import open_files
    from tests.ui.conftest import open_stored_conversation

    open_stored_conversation(window, store)
    exports = window.history.exports
    with qtbot.waitSignal(exports.sig_conversation_exported, timeout=10_000):
        exports.export_to(tmp_path / "sums.json", "json")
    other = store.create_conversation("Other")
    window.conversations.open_conversation(other.id)
    with qtbot.waitSignal(exports.sig_conversation_already_here, timeout=10_000):
        open_files(window, [str(tmp_path / "sums.json")])
    open_files(window, [str(tmp_path / "missing.json")])
    assert "missing.json is not a file here" in window.statusBar().currentMessage()
