"""Ctrl+K: results name their conversation, date and field with the match marked; filters narrow
them; stale results never land; a chosen result opens on its own branch with the match selected
(in the answer, or in the inspector's search when it is in the reasoning)."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication

from client.core.conversation import ReasoningTrace, Turn, new_id
from client.core.events import TurnStatus, Visibility
from client.ui.history.search_dialog import SearchDialog
from tests.support.chat import simple_stream
from tests.ui.conftest import CHAT_PATH, send, stream_reply, use_replay

PHRASE_REASONING = "Zuerst prüfe ich die Größe der Fläche, dann das Volumen."


def _seed(store, title: str, turns: int, *, special: dict[int, dict[str, str]] | None = None):
    """A linear conversation of `turns` turns; `special[i]` overrides turn i's texts."""
    conversation = store.create_conversation(title)
    parent, made = None, []
    for i in range(turns):
        texts = {"prompt": f"Question {i}", "answer": f"Answer {i}.", "reasoning": f"Thought {i}."}
        texts.update((special or {}).get(i, {}))
        turn = Turn(
            id=new_id("t"),
            conversation_id=conversation.id,
            prompt=texts["prompt"],
            provider="deepseek",
            model="deepseek-reasoner",
            parent_id=parent,
            answer=texts["answer"],
            reasoning=ReasoningTrace(Visibility.RAW, texts["reasoning"], 10),
            status=TurnStatus.COMPLETE,
        )
        store.insert_turn(turn)
        store.finalise_turn(turn)
        parent = turn.id
        made.append(turn)
    return conversation, made


def _dialog(qtbot, window) -> SearchDialog:
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    dialog = window.findChildren(SearchDialog)[-1]
    assert dialog.isVisible()
    return dialog


def _search(qtbot, dialog: SearchDialog, words: str) -> None:
    dialog.edit.setText(words)
    dialog.run_query()
    qtbot.waitUntil(lambda: dialog._pending is None and dialog.status_label.text() != "Searching…")


def test_a_phrase_from_the_reasoning_opens_on_its_branch_highlighted(qtbot, window, replay, store):
    replay.add(
        CHAT_PATH,
        stream_reply(simple_stream(PHRASE_REASONING, "Das Volumen ist 12 m³.")),
        stream_reply(simple_stream("Another way to think.", "Twelve cubic metres.")),
    )
    use_replay(window, replay)
    send(qtbot, window, "Wie groß ist der Quader?")
    qtbot.waitUntil(
        lambda: bool(window.conversation.states()) and not window.runner.busy, timeout=10_000
    )
    original = window.conversation.states()[-1]
    window.conversation.widget_for(original.id).regenerate_button.click()
    qtbot.waitUntil(
        lambda: window.conversation.states()[-1].id != original.id and not window.runner.busy,
        timeout=10_000,
    )
    newer = window.conversation.states()[-1]
    conversation_id = window.current_id
    window.conversations.new_conversation()

    dialog = _dialog(qtbot, window)
    _search(qtbot, dialog, "Größe der Fläche")
    hits = dialog.hits()
    assert [(h.turn_id, h.field) for h in hits] == [(original.id, "reasoning")]
    assert "[Größe]" in hits[0].snippet and "[Fläche]" in hits[0].snippet
    assert hits[0].title == "Wie groß ist der Quader?"
    shown = dialog.results.item(0).text()
    assert "Wie groß ist der Quader?" in shown and "reasoning" in shown

    qtbot.keyClick(dialog.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    qtbot.waitUntil(
        lambda: (
            window.current_id == conversation_id
            and [s.id for s in window.conversation.states()] == [original.id]
        ),
        timeout=5_000,
    )
    qtbot.waitUntil(lambda: window.inspector.text_view.textCursor().hasSelection())
    assert window.conversation.selected_state().id == original.id
    assert window.inspector.find_bar.edit.text() == "Größe der Fläche"
    assert window.inspector.text_view.textCursor().selectedText() == "Größe der Fläche"
    # The other version is still there, one step away.
    widget = window.conversation.widget_for(original.id)
    qtbot.waitUntil(lambda: widget.version_label.text() == "1 / 2")
    assert store.get_turn(newer.id).answer == "Twelve cubic metres."


def test_a_match_in_an_old_answer_is_built_scrolled_to_and_selected(qtbot, make_window, store):
    conversation, turns = _seed(
        store, "A long one", 80, special={60: {"answer": "The answer mentions a разноцветный кот."}}
    )
    # A newer version of turn 10 makes a short branch the newest; turn 60 is on the old one.
    other = Turn(
        id=new_id("t"),
        conversation_id=conversation.id,
        prompt="Question 10, again",
        provider="deepseek",
        model="deepseek-reasoner",
        parent_id=turns[9].id,
        answer="Another answer.",
        status=TurnStatus.COMPLETE,
    )
    store.insert_turn(other)
    store.finalise_turn(other)
    window = make_window()
    qtbot.waitUntil(lambda: window.current_id == conversation.id)
    view = window.conversation
    qtbot.waitUntil(lambda: len(view.states()) == 11)  # the newest branch, through `other`

    dialog = _dialog(qtbot, window)
    _search(qtbot, dialog, "разноцветный")
    assert [(h.turn_id, h.field) for h in dialog.hits()] == [(turns[60].id, "answer")]
    dialog.results.setCurrentRow(0)
    qtbot.keyClick(dialog.results, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(view.states()) == 80, timeout=5_000)  # the branch of turn 60
    qtbot.waitUntil(lambda: view.widget_for(turns[60].id) is not None)
    widget = view.widget_for(turns[60].id)
    qtbot.waitUntil(lambda: widget.answer_view.textCursor().selectedText() == "разноцветный")
    assert view.selected_state().id == turns[60].id

    def on_screen() -> bool:
        answer = widget.answer_view
        match = answer.viewport().mapTo(view.scroll.viewport(), answer.cursorRect().center())
        return 0 <= match.y() <= view.scroll.viewport().height()

    qtbot.waitUntil(on_screen)
    lo, hi = view.built_range()
    assert lo <= 60 < hi and hi - lo < 80  # built around the match, not the whole conversation


def test_filters_narrow_and_stale_results_are_dropped(qtbot, window, store):
    _seed(store, "Deep", 2, special={0: {"answer": "alpha beta"}, 1: {"answer": "alpha"}})
    local, _ = _seed(store, "Local", 1, special={0: {"answer": "alpha gamma"}})
    with store._writing() as conn:  # one turn sent elsewhere, on another day
        conn.execute(
            "UPDATE turns SET provider = 'ollama', model = 'qwen3', created_at = ?"
            " WHERE conversation_id = ?",
            ("2024-01-02T10:00:00.000000Z", local.id),
        )
    dialog = _dialog(qtbot, window)
    _search(qtbot, dialog, "alpha")
    assert len(dialog.hits()) == 3

    dialog.provider_box.setCurrentIndex(dialog.provider_box.findData("ollama"))
    _search(qtbot, dialog, "alpha")
    assert [h.title for h in dialog.hits()] == ["Local"]
    dialog.provider_box.setCurrentIndex(0)
    dialog.model_edit.setText("deepseek-reasoner")
    _search(qtbot, dialog, "alpha")
    assert {h.title for h in dialog.hits()} == {"Deep"}
    dialog.model_edit.clear()
    dialog.until_check.setChecked(True)
    dialog.until_edit.setDate(date(2024, 1, 2))
    _search(qtbot, dialog, "alpha")
    assert [h.title for h in dialog.hits()] == ["Local"]
    dialog.until_check.setChecked(False)
    dialog.since_check.setChecked(True)
    dialog.since_edit.setDate(date.today() - timedelta(days=1))
    _search(qtbot, dialog, "alpha")
    assert {h.title for h in dialog.hits()} == {"Deep"}
    dialog.since_check.setChecked(False)

    # Two queries in a row: only the second one's results are shown.
    dialog.edit.setText("gamma")
    dialog.run_query()
    dialog.edit.setText("beta")
    dialog.run_query()
    qtbot.waitUntil(lambda: dialog._pending is None)
    window.jobs.wait()
    qtbot.waitUntil(lambda: dialog.status_label.text() != "Searching…")
    assert [h.snippet for h in dialog.hits()] == ["alpha [beta]"]


def test_scrolling_up_builds_older_turns_and_the_view_stays_put(qtbot, make_window, store):
    conversation, turns = _seed(store, "Long", 120)
    window = make_window()
    view = window.conversation
    qtbot.waitUntil(lambda: len(view.states()) == 120)
    column = view.scroll
    bar = column.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0 and bar.value() == bar.maximum())
    lo, hi = view.built_range()
    assert hi == 120 and lo > 0 and column.earlier_label.isVisible()
    assert "earlier turns" in column.earlier_label.text()

    while view.built_range()[0] > 0:
        lo = view.built_range()[0]
        bar.setValue(0)  # the user drags to the top of what is there
        top = view.widget_for(turns[lo].id)
        before = column.screen_y(turns[lo].id)
        qtbot.waitUntil(lambda lo=lo: view.built_range()[0] < lo)
        above = view.widget_for(turns[lo - 1].id)
        qtbot.waitUntil(lambda a=above, t=top: a.isVisible() and a.geometry().bottom() < t.y())
        # Older turns arrived above; the turn the user was looking at has not moved.
        assert column.screen_y(turns[lo].id) == before
    assert not column.earlier_label.isVisible()
    assert view.widget_for(turns[0].id) is not None


def test_find_in_the_conversation_reaches_turns_not_built_yet(qtbot, make_window, store):
    _conversation, turns = _seed(store, "Long", 120, special={5: {"answer": "A needle, at last."}})
    window = make_window()
    view = window.conversation
    qtbot.waitUntil(lambda: len(view.states()) == 120)
    assert view.widget_for(turns[5].id) is None
    view.open_find()
    assert view.find("needle")
    widget = view.widget_for(turns[5].id)
    assert widget.answer_view.textCursor().selectedText() == "needle"
    lo, hi = view.built_range()
    assert lo <= 5 < hi < 120  # built around the match only
    assert not view.find("no such words anywhere")
    assert view.find_bar.result_label.text() == "Not found"


def test_the_audit_findings_filter_keeps_turns_whose_reasoning_has_a_finding(qtbot, window, store):
    _seed(store, "Sound", 1, special={0: {"answer": "ibis 51", "reasoning": "ibis: 17 × 3 = 51."}})
    _seed(
        store, "Spurious", 1, special={0: {"answer": "ibis 41", "reasoning": "ibis: 17 × 3 = 41."}}
    )
    dialog = _dialog(qtbot, window)
    _search(qtbot, dialog, "ibis")
    assert {h.title for h in dialog.hits()} == {"Sound", "Spurious"}
    dialog.findings_check.setChecked(True)  # these turns were stored unaudited: audited on demand
    _search(qtbot, dialog, "ibis")
    assert [h.title for h in dialog.hits()] == ["Spurious"]


def _typed(qtbot, dialog: SearchDialog, letter: str) -> None:
    """Type one more letter into the search field, as a person does, and wait for its results.

    Japanese and Chinese arrive the way an input method commits them."""
    if letter.isascii():
        qtbot.keyClicks(dialog.edit, letter)
    else:
        event = QInputMethodEvent()
        event.setCommitString(letter)
        QApplication.sendEvent(dialog.edit, event)
    qtbot.waitUntil(
        lambda: (
            not dialog._debounce.isActive()
            and dialog._pending is None
            and dialog.status_label.text() != "Searching…"
        )
    )


def test_typing_the_first_letters_of_any_word_finds_its_turn_and_says_where(qtbot, window, store):
    conversation = store.create_conversation("Garden planning")
    first = Turn(
        id=new_id("t"),
        conversation_id=conversation.id,
        prompt="Plan the kitchen garden",
        provider="deepseek",
        model="deepseek-reasoner",
        answer="Start with beans.",
        reasoning=ReasoningTrace(Visibility.RAW, "Beans fix nitrogen.", 5),
        status=TurnStatus.COMPLETE,
    )
    version_one = Turn(
        id=new_id("t"),
        conversation_id=conversation.id,
        parent_id=first.id,
        prompt="Describe the orchard by the river",
        provider="deepseek",
        model="deepseek-reasoner",
        answer="Apples along the wall.",
        reasoning=ReasoningTrace(Visibility.RAW, "Apples like the wall's warmth.", 5),
        status=TurnStatus.COMPLETE,
        created_at="2026-11-27T10:00:00.000000Z",
    )
    version_two = Turn(
        id=new_id("t"),
        conversation_id=conversation.id,
        parent_id=first.id,
        prompt="Describe the Vendrillac orchard",
        provider="deepseek",
        model="deepseek-reasoner",
        answer="The orchard holds pomegranates and quinces.",
        reasoning=ReasoningTrace(
            Visibility.RAW,
            "Counting rows: eleven tamarisk hedges, then the 温室で育てる plants.",
            9,
        ),
        status=TurnStatus.COMPLETE,
        created_at="2026-11-28T10:00:00.000000Z",
    )
    for turn in (first, version_one, version_two):
        store.insert_turn(turn)
        store.finalise_turn(turn)
    dialog = _dialog(qtbot, window)

    # Every word of three letters or more in the prompt, the answer and the reasoning, and a
    # Japanese word inside a longer run.
    texts = {
        "prompt": version_two.prompt,
        "answer": version_two.answer,
        "reasoning": version_two.reasoning.text,
    }
    words = [
        (part, word.strip(".,:"))
        for part, text in texts.items()
        for word in text.split()
        if len(word.strip(".,:")) >= 3 and not any(ch >= "\u3000" for ch in word)
    ] + [("reasoning", "温室")]
    found_by: dict[str, int] = {}
    for part, word in words:
        dialog.edit.clear()
        for count in range(1, len(word) + 1):
            _typed(qtbot, dialog, word[count - 1])
            hit = next((h for h in dialog.hits() if h.turn_id == version_two.id), None)
            if hit is not None and count >= 2:
                break
        assert hit is not None, f"{word!r} ({part}) was not found by typing it"
        found_by[word] = count
        # The result names the turn, its version and the part the letters were found in.
        row = dialog.hits().index(hit)
        shown = dialog.results.item(row).text()
        assert "Describe the Vendrillac orchard (version 2 of 2)" in shown, shown
        assert f"in the {hit.field}" in shown
        expected = {p for p, t in texts.items() if word[:count].lower() in t.lower()}
        assert hit.field in expected, (word, hit.field)
        if part == "prompt" or hit.field == part:
            assert "[" + word[:count].lower() in hit.snippet.lower(), hit.snippet
    assert max(found_by.values()) <= 3, found_by
    assert found_by["温室"] == 2


def test_newest_first_toggle_and_what_the_status_says(qtbot, window, store):
    _seed(store, "Old", 1, special={0: {"prompt": "alpha beta gamma", "answer": "beta alpha"}})
    newer, _ = _seed(store, "New", 1, special={0: {"answer": "alpha then beta"}})
    dialog = _dialog(qtbot, window)
    _search(qtbot, dialog, "alpha beta")
    assert [h.title for h in dialog.hits()] == ["Old", "New"]  # the exact phrase first
    assert [h.exact_phrase for h in dialog.hits()] == [True, False]
    assert "most relevant first, exact phrase first" in dialog.status_label.text()
    assert "exact phrase" in dialog.results.item(0).text()
    qtbot.mouseClick(dialog.newest_check, Qt.MouseButton.LeftButton)
    assert dialog.newest_check.isChecked()
    qtbot.waitUntil(lambda: "newest first" in dialog.status_label.text())
    assert [h.title for h in dialog.hits()] == ["New", "Old"]
    assert dialog.newest_check.accessibleName() == "Newest first"
    dialog.edit.setText("-alpha")
    dialog.run_query()
    assert dialog.hits() == []
    assert dialog.status_label.text() == "Type a word to find too: -word only leaves turns out."
    for typed in ('"', "(", '" )'):  # a lone quote or bracket: text, not a -word, not an error
        dialog.edit.setText(typed)
        dialog.run_query()
        assert dialog.hits() == []
        assert dialog.status_label.text() == (
            "Nothing found: punctuation alone is not searched, only words."
        )
    _search(qtbot, dialog, '"alpha be')  # a quote not closed yet: the words are still found
    assert {h.title for h in dialog.hits()} == {"Old", "New"}


def test_what_a_chosen_result_selects():
    from client.ui.history.search_results import match_term

    text = "The orchard holds pomegranates; the Größe der Fläche matters."
    assert match_term("orch", text, ["orchard"]) == "orchard"  # the word being typed, whole
    assert match_term("Größe der Fläche", text, ["Größe", "der", "Fläche"]) == "Größe der Fläche"
    assert match_term("pomegranates holds", text, ["holds", "pomegranates"]) == "holds"


def test_the_status_says_when_so_many_match_that_the_newest_come_first(
    qtbot, window, store, monkeypatch
):
    from client.store import search

    monkeypatch.setattr(search, "RANKED_MATCHES", 2)  # as if hundreds of turns matched
    _seed(store, "Many", 3, special={i: {"answer": f"quokka number {i}"} for i in range(3)})
    dialog = _dialog(qtbot, window)
    _search(qtbot, dialog, "quokka")
    assert [h.snippet for h in dialog.hits()] == [f"[quokka] number {i}" for i in (2, 1, 0)]
    assert dialog.status_label.text() == (
        "3 found, the newest first (hundreds of turns match: type more to rank them)."
        " Enter opens the selected one."
    )
    _search(qtbot, dialog, "quokka number 1")
    assert dialog.status_label.text().startswith("1 found, most relevant first, exact phrase first")
