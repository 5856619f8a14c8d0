"""A prompt set in the window, driven as a user would: Compare… with an empty prompt box, earlier
prompts picked from the history with a filter and others pasted, the set run against a real
loopback server with its progress, one summary (the verdict, the table, the chart and its words),
Stop keeping what finished, the same set resumed, and the summary exported as CSV and Markdown."""

from __future__ import annotations

import csv
import threading
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from client.core import format as fmt
from client.core.conversation import Turn, new_id
from client.core.events import TurnStatus
from tests.compare.test_compare import CHAT, _set_responder
from tests.support.replay import Received, Reply
from tests.ui.compare.test_compare_view import _unnamed_controls, compare_window  # noqa: F401

EARLIER = ["What is half of one?", "What is 3 + 4?", "Name a prime below 10.", "And half of two?"]
RUN = {e: Decimal(20) / 10**6 + Decimal(t) * 10 / 10**6
       for e, t in (("low", 100), ("medium", 300), ("high", 900))}  # fmt: skip


def _seed_history(store) -> None:
    for prompt in EARLIER:
        conversation = store.create_conversation(prompt)
        store.insert_turn(
            Turn(id=new_id("t"), conversation_id=conversation.id, prompt=prompt, answer="…",
                 provider="ollama", model="qwen3", status=TurnStatus.COMPLETE)
        )  # fmt: skip


def _open_set_dialog(qtbot, window):
    window.activateWindow()  # back from the set's window, as a click on the main window does
    qtbot.waitUntil(window.isActiveWindow)
    window.composer.edit.clear()
    window.composer.edit.setFocus()
    qtbot.keyClick(window.composer.edit, Qt.Key.Key_Return,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)  # fmt: skip
    dialog = window.compare.dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.is_set and not dialog.one_button.isEnabled()  # no prompt: a set it is
    picker = dialog.picker
    qtbot.waitUntil(lambda: picker.earlier_list.count() == len(EARLIER), timeout=10_000)
    return dialog


def _choose(qtbot, dialog, first: bool = True) -> None:
    picker = dialog.picker
    qtbot.keyClicks(picker.filter_edit, "half")
    shown = [picker.earlier_list.item(i) for i in range(picker.earlier_list.count())]
    assert sorted(i.text() for i in shown if not i.isHidden()) == [
        "And half of two?", "What is half of one?"
    ]  # fmt: skip
    qtbot.mouseClick(picker.tick_shown_button, Qt.MouseButton.LeftButton)
    picker.filter_edit.clear()
    picker.paste_edit.setPlainText("What is 3 + 4?\n\nWhat is half of one?\n")  # one twice
    assert picker.count_label.text() == "3 prompts chosen"
    # ticked first (newest first, as listed), then pasted; a prompt is taken once
    chosen = ["And half of two?", "What is half of one?", "What is 3 + 4?"]
    assert dialog.prompts() == chosen if first else sorted(dialog.prompts()) == sorted(chosen)
    dialog.samples_spin.setValue(1)
    qtbot.waitUntil(
        lambda: dialog.estimate_label.text().startswith(
            "3 prompts × 3 settings × 1 samples = 9 runs:"
        ),
        timeout=20_000,
    )
    assert dialog.compare_button.text() == "Run the set"
    assert _unnamed_controls(dialog) == []


def test_a_set_of_earlier_and_pasted_prompts_gives_one_summary_with_the_verdict(
    qtbot,
    compare_window,  # noqa: F811 - the fixture
    replay,
    store,
    tmp_path,
    monkeypatch,
):
    window = compare_window
    _seed_history(store)
    replay.respond(CHAT, _set_responder)
    dialog = _open_set_dialog(qtbot, window)
    _choose(qtbot, dialog)
    with qtbot.waitSignal(window.compare.sets.sig_finished, timeout=60_000):
        qtbot.mouseClick(dialog.compare_button, Qt.MouseButton.LeftButton)
    assert len(replay.requests_to(CHAT)) == 9
    view = window.compare.sets.view_window
    assert view.isVisible() and not view.stop_button.isVisible()
    assert view.heading.text().startswith("3 prompts × 3 settings (gpt-5-mini @ low, ")
    assert view.progress_bar.value() == view.progress_bar.maximum() == 9
    assert view.progress_label.text() == (
        f"All 3 prompts done · {fmt.money(3 * (RUN['low'] + RUN['medium'] + RUN['high']))} in all."
    )
    low, medium, high = view.rows()
    assert low[:3] == ["gpt-5-mini @ low", "1 of 3 prompts", "33%"]
    assert medium[:3] == ["★ gpt-5-mini @ medium", "3 of 3 prompts", "100%"]
    assert high[:3] == ["gpt-5-mini @ high", "3 of 3 prompts", "100%"]
    assert medium[3] == fmt.money(3 * RUN["medium"]) and medium[4] == "250 tokens"
    assert high[3] == fmt.money(3 * RUN["high"]) and high[4] == "850 tokens"
    # each prompt, and what each setting answered (✗: not the majority answer)
    prompts = view.prompts_table
    assert [prompts.item(r, 1).text() for r in range(3)] == [
        "And half of two?", "What is half of one?", "What is 3 + 4?"
    ]  # fmt: skip
    assert [prompts.item(0, c).text() for c in range(2, 6)] == [
        "1/2", "✗ 1/3 (100%)", "1/2 (100%)", "0.5 (100%)"
    ]  # fmt: skip
    verdict = view.verdict_label.text()
    assert verdict.startswith(
        "Cheapest setting that still gets the majority answer: gpt-5-mini @ medium, on 3 of 3 "
        f"prompts for {fmt.money(3 * RUN['medium'])}"
    )
    assert "gpt-5-mini @ high 3 of 3 for" in verdict and "(3.0× the cost)" in verdict
    words = view.chart.accessibleDescription()  # the chart's text alternative
    assert f"gpt-5-mini @ low: {fmt.money(3 * RUN['low'])}, 33% of runs;" in words
    assert "gpt-5-mini @ medium: " in words and "(the cheapest still giving the majority" in words
    assert _unnamed_controls(view) == []
    # every prompt is a comparison of its own, stored; the ledger counts every run once
    assert store.usage_report(by=None)["total"]["queries"] == 4 + 9

    # exported from the buttons, as a user would
    for button, name in ((view.csv_button, "set.csv"), (view.markdown_button, "set.md")):
        target = str(tmp_path / name)
        monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, t=target, **k: (t, ""))
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        assert view.saved_label.text() == f"Saved to {target}."
    rows = list(csv.DictReader((tmp_path / "set.csv").open()))
    assert [(r["label"], r["majority_prompts"], r["cheapest_majority"]) for r in rows] == [
        ("gpt-5-mini @ low", "1", "False"),
        ("gpt-5-mini @ medium", "3", "True"),
        ("gpt-5-mini @ high", "3", "False"),
    ]
    assert Decimal(rows[1]["cost"]) == 3 * RUN["medium"]
    markdown = (tmp_path / "set.md").read_text()
    assert markdown.startswith("# Is more thinking worth it? 3 prompts\n")
    assert "| gpt-5-mini @ medium ★ | 3 of 3 prompts | 100% |" in markdown


def test_stop_keeps_the_prompts_that_finished_and_the_same_set_resumes(
    qtbot,
    compare_window,  # noqa: F811 - the fixture
    replay,
    store,
):
    window = compare_window
    _seed_history(store)
    hang = threading.Event()
    hang.set()

    def respond(request: Received) -> Reply:
        prompt = request.json["messages"][-1]["content"]
        if "one" in prompt and hang.is_set():  # the second prompt hangs until stopped
            return Reply(chunks=[], hang_s=20)
        return _set_responder(request)

    replay.respond(CHAT, respond)
    dialog = _open_set_dialog(qtbot, window)
    _choose(qtbot, dialog)
    qtbot.mouseClick(dialog.compare_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.compare.sets.view_window is not None, timeout=10_000)
    view = window.compare.sets.view_window
    qtbot.waitUntil(
        lambda: view.progress_label.text() == "prompt 2 of 3: What is half of one?", timeout=20_000
    )
    qtbot.waitUntil(lambda: len(replay.requests_to(CHAT)) == 6, timeout=20_000)
    assert view.rows()[1][:2] == ["★ gpt-5-mini @ medium", "1 of 1 prompts"]  # after prompt 1
    assert view.stop_button.isVisible()
    with qtbot.waitSignal(window.compare.sets.sig_finished, timeout=20_000):
        qtbot.mouseClick(view.stop_button, Qt.MouseButton.LeftButton)
    assert view.progress_label.text().startswith(
        "Stopped after 1 of 3 prompts: the summary covers the 1 that finished."
    )
    assert len(replay.requests_to(CHAT)) == 6  # the third prompt was never sent
    assert [row[1] for row in view.rows()] == ["0 of 1 prompts"] + ["1 of 1 prompts"] * 2
    assert view.verdict_label.text().startswith(
        "Cheapest setting that still gets the majority answer: gpt-5-mini @ medium, on 1 of 1"
    )
    assert view.progress_bar.value() == 3

    # the same set again: the first prompt is stored, so only the rest is sent
    hang.clear()
    view.close()
    dialog = _open_set_dialog(qtbot, window)
    _choose(qtbot, dialog, first=False)  # the set's prompts are the newest in the history now
    with qtbot.waitSignal(window.compare.sets.sig_finished, timeout=60_000):
        qtbot.mouseClick(dialog.compare_button, Qt.MouseButton.LeftButton)
    assert view.isVisible()  # the same window, shown again
    assert len(replay.requests_to(CHAT)) == 6 + 6  # prompt 2 again (its runs stopped), prompt 3
    assert view.rows()[1][:2] == ["★ gpt-5-mini @ medium", "3 of 3 prompts"]


def test_closing_the_window_stops_a_running_set_and_keeps_what_arrived(
    qtbot,
    compare_window,  # noqa: F811 - the fixture
    replay,
    store,
):
    window = compare_window
    _seed_history(store)

    def respond(request: Received) -> Reply:
        if "one" in request.json["messages"][-1]["content"]:
            return Reply(chunks=[], hang_s=20)  # the second prompt never answers
        return _set_responder(request)

    replay.respond(CHAT, respond)
    dialog = _open_set_dialog(qtbot, window)
    _choose(qtbot, dialog)
    qtbot.mouseClick(dialog.compare_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(replay.requests_to(CHAT)) == 6, timeout=20_000)
    window.close()  # quitting mid-set: stopped, stored, before the store closes
    assert window.compare.sets.wait(0)
    stored = window.compare.sets.comparisons[1]
    kept = store.get_comparison(stored.id)
    assert sorted(t.status for t in kept.runs.values()) == ["interrupted"] * 3
