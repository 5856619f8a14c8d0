"""Database safety: a database that will not open offers the latest backup or an empty database
(the damaged file is kept, never deleted), and a full disk while a turn streams keeps the turn in
memory, says so, and saves it once there is room."""

from __future__ import annotations

import shutil

from client.core.conversation import Turn, new_id
from client.core.events import TurnStatus
from client.store.db import StoreError, backup_path
from client.store.paths import database_path
from client.store.store import Store
from client.ui.recovery import (
    OPEN_BACKUP,
    QUIT,
    START_EMPTY,
    BackgroundCheck,
    Trouble,
    act_on,
    latest_backup,
    open_store,
    recovery_box,
)
from client.ui.turns.saving import DISK_FULL, SAVED
from tests.support.chat import simple_stream
from tests.ui.conftest import CHAT_PATH, send, stream_reply, use_replay

GARBAGE = b"this is not a database, it is what a crash left behind" * 100


class Asker:
    def __init__(self, choice: str) -> None:
        self.choice = choice
        self.asked: list[Trouble] = []

    def __call__(self, trouble: Trouble) -> str:
        self.asked.append(trouble)
        return self.choice


def _damaged_database_with_a_backup():
    path = database_path()
    with Store.open(path) as store:
        kept = store.create_conversation("Worth keeping")
    backup = backup_path(path, 3)
    shutil.copy2(path, backup)
    path.write_bytes(GARBAGE)
    return path, backup, kept


def _damaged_files(path):
    return sorted(path.parent.glob(f"{path.name}.damaged-*"))


def test_a_damaged_database_can_be_replaced_by_its_backup(thinkpane_home):
    path, backup, kept = _damaged_database_with_a_backup()
    asker = Asker(OPEN_BACKUP)
    store, note = open_store(asker, path)
    try:
        assert [c.title for c in store.list_conversations()] == [kept.title]
    finally:
        store.close()
    [trouble] = asker.asked
    assert "damaged" in trouble.error.message and trouble.backup == backup
    [aside] = [p for p in _damaged_files(path) if not p.name.endswith(("-wal", "-shm"))]
    assert aside.read_bytes() == GARBAGE  # moved aside, not deleted
    assert backup.exists()
    assert "Opened the backup" in note and aside.name in note


def test_an_empty_database_keeps_the_damaged_file(thinkpane_home):
    path = database_path()
    path.write_bytes(GARBAGE)
    asker = Asker(START_EMPTY)
    store, note = open_store(asker, path)
    try:
        assert store.list_conversations() == []
    finally:
        store.close()
    assert asker.asked[0].backup is None
    [aside] = _damaged_files(path)
    assert aside.read_bytes() == GARBAGE
    assert note.startswith("Started with an empty database")


def test_quit_changes_nothing(thinkpane_home):
    path, backup, _kept = _damaged_database_with_a_backup()
    store, note = open_store(Asker(QUIT), path)
    assert store is None and note == ""
    assert path.read_bytes() == GARBAGE and _damaged_files(path) == []
    assert latest_backup(path) == backup


def test_the_dialog_offers_the_choices_it_can(qapp, thinkpane_home):
    path, backup, _kept = _damaged_database_with_a_backup()
    error = StoreError("Thinkpane's database is damaged.", path=path)
    box, choices = recovery_box(Trouble(error, path, backup))
    assert box.text() == error.message
    assert sorted((b.text(), c) for b, c in choices.items()) == [
        ("Open the Latest Backup", OPEN_BACKUP),
        ("Quit", QUIT),
        ("Start with an Empty Database", START_EMPTY),
    ]
    box.deleteLater()
    box, choices = recovery_box(Trouble(error, path, None))
    assert OPEN_BACKUP not in choices.values()
    box.deleteLater()


def _history_with_a_damaged_page():
    """A database that opens (its header and schema are sound) with one answer's overflow page
    pointing nowhere, and a backup taken before the damage."""
    path = database_path()
    with Store.open(path) as store:
        conversation = store.create_conversation("Worth keeping")
        for i in range(40):
            turn = Turn(
                id=new_id("t"),
                conversation_id=conversation.id,
                created_at=f"2026-11-27T18:00:{i:02d}.000000Z",
                provider="ollama",
                model="qwen3",
                status=TurnStatus.COMPLETE,
                prompt="Go on",
                answer=f"answer {i} " * 600,
            )
            store.insert_turn(turn)
    backup = backup_path(path, 3)
    shutil.copy2(path, backup)
    data = bytearray(path.read_bytes())
    page = data.index(b"answer 30 answer 30 answer 30") // 4096 * 4096
    data[page : page + 4] = b"\xff\xff\xff\x00"
    path.write_bytes(bytes(data))
    return path, backup


def test_damage_found_in_the_background_asks_the_same_question_and_acts_on_it(
    qtbot, thinkpane_home
):
    path, backup = _history_with_a_damaged_page()
    store, note = open_store(Asker(QUIT), path)  # the cheap check at open lets it through
    assert store is not None and note == ""
    asker = Asker(OPEN_BACKUP)
    check = BackgroundCheck(path, asker)
    with qtbot.waitSignal(check.sig_recovery_chosen, timeout=20_000) as chosen:
        check.start()
    assert chosen.args == [OPEN_BACKUP]
    [trouble] = asker.asked
    assert "damaged" in trouble.error.message and trouble.backup == backup
    box, choices = recovery_box(trouble)  # the dialog of a damaged file at start
    assert box.text() == trouble.error.message and OPEN_BACKUP in choices.values()
    box.deleteLater()
    assert check.sound is False

    store.close()  # the app closes the window and the store, then acts on the choice
    note = act_on(check.choice, check.trouble)
    assert note.startswith("Opened the backup")
    with Store.open(path) as reopened:
        reopened.check_integrity()
        [conversation] = reopened.list_conversations()
        assert conversation.title == "Worth keeping"
    assert [p for p in _damaged_files(path) if not p.name.endswith(("-wal", "-shm"))]


def test_a_sound_file_is_checked_in_the_background_without_a_question(qtbot, thinkpane_home):
    path = database_path()
    with Store.open(path) as store:
        store.create_conversation("Fine")
        asker = Asker(QUIT)
        check = BackgroundCheck(path, asker)
        check.start()
        qtbot.waitUntil(lambda: check.sound is True, timeout=20_000)
        check.stop()
    assert asker.asked == [] and check.choice is None


def test_stopping_the_background_check_leaves_nothing_to_answer(qtbot, thinkpane_home):
    path, _backup = _history_with_a_damaged_page()
    asker = Asker(QUIT)
    check = BackgroundCheck(path, asker)
    check.stop()  # quitting before it ran: it never reads, never asks
    check.start()
    check.stop()
    qtbot.wait(50)
    assert asker.asked == [] and check.choice is None


def test_a_full_disk_keeps_the_turn_in_memory_and_saves_it_later(
    qtbot, window, replay, store, monkeypatch
):
    replay.add(CHAT_PATH, stream_reply(simple_stream("Counting.", "All of it is kept.")))
    replay.add(CHAT_PATH, stream_reply(simple_stream("Again.", "Second.")))

    def full(_turn) -> None:
        raise StoreError(f"The disk holding Thinkpane's database ({store.path}) is full.")

    monkeypatch.setattr(store, "finalise_turn", full)
    monkeypatch.setattr(store, "checkpoint_turn", full)
    use_replay(window, replay)
    send(qtbot, window, "Please keep this")
    qtbot.waitUntil(
        lambda: bool(window.conversation.states()) and not window.runner.busy, timeout=10_000
    )
    state = window.conversation.states()[-1]
    widget = window.conversation.widget_for(state.id)
    qtbot.waitUntil(lambda: widget.save_label.isVisibleTo(window))
    assert widget.save_label.text() == DISK_FULL
    assert state.turn.status is TurnStatus.COMPLETE
    qtbot.waitUntil(lambda: "All of it is kept." in widget.answer_view.toPlainText())
    assert window.banner.isVisibleTo(window) and window.banner.label.text() == DISK_FULL
    assert store.get_turn(state.id).answer == ""  # only the row made at the start is stored
    assert window.runner.unsaved.ids() == [state.id]

    # Away and back: the window shows the turn kept in memory, not the empty stored row.
    conversation_id = window.current_id
    window.conversations.new_conversation()
    window.conversations.open_conversation(conversation_id)
    qtbot.waitUntil(lambda: window.conversation.widget_for(state.id) is not None)
    again = window.conversation.widget_for(state.id)
    assert "All of it is kept." in again.answer_view.toPlainText()
    assert again.save_label.text() == DISK_FULL

    monkeypatch.undo()  # room on the disk again: the next finished turn saves it too
    with qtbot.waitSignal(window.runner.sig_turn_saved, timeout=10_000):
        send(qtbot, window, "And this")
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=10_000)
    stored = store.get_turn(state.id)
    assert stored.status is TurnStatus.COMPLETE and stored.answer == "All of it is kept."
    assert window.runner.unsaved.ids() == []
    qtbot.waitUntil(lambda: not again.save_label.isVisibleTo(window))
    assert not window.banner.isVisibleTo(window)
    assert window.statusBar().currentMessage() == SAVED


def test_an_unusable_data_folder_asks_for_another_and_opens_there(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("THINKPANE_HOME", str(blocker))
    other = tmp_path / "elsewhere"
    asked = []

    def choose(error):
        asked.append(error.message)
        return other

    store, note = open_store(Asker(QUIT), choose_folder=choose)
    try:
        assert store is not None and store.path == other / "thinkpane.sqlite3"
        assert f"{blocker} is a file, not a folder" in asked[0]
        assert str(other) in note and "THINKPANE_HOME" in note
    finally:
        store.close()
    assert blocker.read_text() == "not a folder"  # nothing of the user's was touched


def test_quitting_at_an_unusable_data_folder_opens_nothing(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("THINKPANE_HOME", str(blocker))
    assert open_store(Asker(QUIT), choose_folder=lambda _e: None) == (None, "")


def test_the_folder_dialog_names_the_folder_and_offers_another_or_quit(qapp, tmp_path, monkeypatch):
    from client.store.paths import DataFolderError, data_dir
    from client.ui.recovery import CHOOSE_FOLDER, QUIT_FOLDER, folder_box

    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("THINKPANE_HOME", str(blocker))
    try:
        data_dir()
    except DataFolderError as exc:
        error = exc
    box, choices = folder_box(error)
    assert str(blocker) in box.text() and "choose another folder" in box.informativeText().lower()
    assert sorted(choices.values()) == [CHOOSE_FOLDER, QUIT_FOLDER]
    assert [b.text() for b in choices] == ["Choose Another Folder…", "Quit"]
    box.deleteLater()
