"""The audit view: findings marked in place with their explanation, turning points, verdicts kept
in the store, honest sentences for summaries and hidden reasoning, a big trace audited without
blocking the window, a critic shown apart, and the report written to a file.

Fixtures live here (tests/ui/conftest.py belongs to the window's tests): a store on the test's
temporary THINKPANE_HOME, and an AuditView whose pool is drained before the test ends.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QPointF
from PySide6.QtGui import QColor, QHelpEvent, QPalette
from PySide6.QtWidgets import QApplication, QToolTip

from client.core.audit import CriticOpinion, CriticVerdict
from client.core.conversation import ReasoningTrace, Turn
from client.core.events import TurnStatus, Visibility
from client.critic import CriticReview
from client.store.store import Store
from client.ui.audit.critic_dialog import CriticDialog
from client.ui.audit.steps import CRITIC_ROLE, FINDINGS_ROLE, SEVERITY_ROLE
from client.ui.audit.view import AuditView
from client.ui.composer.model_picker import ModelChoice

FALSE = "17 × 3 = 41, so the notebooks cost 41."
REASONING = f"""First, find 17 times 3 and add 4.

{FALSE}

So 41 + 4 = 45. The answer is 45.

Wait, that's wrong: 17 × 3 is 51. So 51 + 4 = 55.

The answer is 55. <img src=http://x>"""
MESSAGE = "17 × 3 is 51, not 41."


@pytest.fixture
def audit_store(thinkpane_home):
    with Store.open() as store:
        yield store


@pytest.fixture
def view(qtbot, audit_store):
    widget = AuditView(audit_store)
    qtbot.addWidget(widget)
    widget.resize(800, 700)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    widget.wait()  # no pool job outlives its test


def make_turn(store, text=REASONING, visibility=Visibility.RAW, tokens=1408, turn_id="t_audit"):
    conversation = store.create_conversation(title="Notebooks")
    turn = Turn(
        id=turn_id,
        conversation_id=conversation.id,
        prompt="What do 17 notebooks at 3 and a pen at 4 cost?",
        provider="openai-compatible",
        model="qwen3",
        status=TurnStatus.COMPLETE,
        answer="The answer is 55.",
        reasoning=ReasoningTrace(visibility, text, tokens=tokens),
    )
    store.insert_turn(turn)
    return turn


def rect_of(qtbot, view, row):
    index = view.model.index(row)
    qtbot.waitUntil(lambda: view.step_list.visualRect(index).height() > 10)
    return index, view.step_list.visualRect(index)


# The offscreen platform cannot size or raise the tooltip's window and says so; real platforms
# can. (This marker replaces the folder's, so it repeats the size-hints line.)
@pytest.mark.qt_log_ignore(
    r"^This plugin does not support propagateSizeHints\(\)$",
    r"^This plugin does not support raise\(\)$",
)
def test_a_false_equation_is_marked_in_place_and_explained_on_hover(qtbot, view, audit_store):
    view.show_turn(make_turn(audit_store))
    assert view.strip_label.text().startswith("1 arithmetic error (step 2)")
    row = view.model.row_of(1)
    index, rect = rect_of(qtbot, view, row)
    assert index.data(SEVERITY_ROLE) == "error"
    assert [f.message for f in index.data(FINDINGS_ROLE)] == [MESSAGE]
    laid = view.delegate.laid_out(index)
    start, end, tip = laid.marks[0]
    assert laid.doc.toPlainText()[start:end] == "17 × 3 = 41"
    assert MESSAGE in tip
    fmt = laid.doc.findBlock(start).begin().fragment().charFormat()
    assert fmt.background().style() != 0 and fmt.toolTip() == tip

    inside = view.delegate._text_origin(rect) + QPointF(4, 4)
    assert MESSAGE in view.delegate.tooltip_at(index, rect, inside)
    plain_index, plain_rect = rect_of(qtbot, view, view.model.row_of(0))
    assert view.delegate.tooltip_at(plain_index, plain_rect, plain_rect.center()) is None

    point = inside.toPoint()
    event = QHelpEvent(QEvent.Type.ToolTip, point, view.step_list.viewport().mapToGlobal(point))
    QApplication.sendEvent(view.step_list.viewport(), event)
    assert MESSAGE in QToolTip.text()
    QToolTip.hideText()


def test_hostile_step_text_stays_text(view, audit_store):
    view.show_turn(make_turn(audit_store))
    last = view.model.index(view.model.rowCount() - 1)
    assert view.delegate.laid_out(last).doc.toPlainText().endswith("<img src=http://x>")


def test_turning_points_only_shows_fewer_steps(view, audit_store):
    view.show_turn(make_turn(audit_store))
    everything = view.model.rowCount()
    view.turning_toggle.setChecked(True)
    kinds = {str(view.model.step_at(r).kind) for r in range(view.model.rowCount())}
    assert 0 < view.model.rowCount() < everything
    assert kinds <= {"plan", "switch", "retract", "conclude"}
    view.turning_toggle.setChecked(False)
    assert view.model.rowCount() == everything


def test_a_verdict_is_stored_at_once_and_restored(qtbot, view, audit_store):
    turn = make_turn(audit_store)
    other = make_turn(audit_store, turn_id="t_other")
    view.show_turn(turn)
    view.select_step(1)
    with qtbot.waitSignal(view.sig_verdict_changed) as changed:
        view.verdict_panel.choose("spurious", "off by ten")
    assert changed.args == ["t_audit", 1, "spurious"]
    with Store.open(audit_store.path) as reopened:
        assert reopened.verdicts("t_audit") == {1: ("spurious", "off by ten")}

    view.select_step(2)
    qtbot.keyClicks(view.verdict_panel.note_edit, "the sum follows")
    with qtbot.waitSignal(view.sig_verdict_changed):
        view.verdict_panel.note_edit.editingFinished.emit()
    assert audit_store.verdicts("t_audit")[2] == ("unsure", "the sum follows")

    view.show_turn(other)
    assert view.model.verdicts == {}
    view.show_turn(turn)
    view.select_step(1)
    assert view.verdict_panel.verdict == "spurious"
    assert view.verdict_panel.note_edit.text() == "off by ten"
    view.verdict_panel.choose("")
    assert 1 not in audit_store.verdicts("t_audit")


def test_hidden_none_and_summary_turns_say_what_was_audited(view, audit_store):
    view.show_turn(make_turn(audit_store, text="", visibility=Visibility.HIDDEN))
    assert view.caveat_label.text() == (
        "Nothing to audit: the provider billed 1,408 reasoning tokens but did not show them."
    )
    assert not view.step_list.isVisibleTo(view)
    view.show_turn(make_turn(audit_store, text="", visibility=Visibility.NONE, turn_id="t_none"))
    assert view.caveat_label.text() == "No reasoning in this turn."
    view.show_turn(make_turn(audit_store, visibility=Visibility.SUMMARY, turn_id="t_sum"))
    assert view.caveat_label.text().startswith(
        "This is the provider's summary, not the model's own reasoning; findings on a summary are weaker"
    )
    assert view.step_list.isVisibleTo(view) and view.model.rowCount() > 0


def big_trace() -> str:
    step = "Let me add the next pair: {a} + {b} = {c}, and keep going with the running total."
    parts = [step.format(a=i, b=i + 1, c=2 * i + 1) for i in range(1200)]
    parts[600] = "Then 600 + 601 = 1300, carried forward."
    text = "\n\n".join(parts)
    assert len(text) >= 100_000
    return text


def test_a_100k_trace_is_audited_off_the_gui_thread(qtbot, view, audit_store):
    view.show_turn(make_turn(audit_store, text=big_trace()))
    assert view.busy and view.model.rowCount() == 0
    assert view.strip_label.text().startswith("Auditing")
    qtbot.waitUntil(lambda: view.model.rowCount() > 0, timeout=30_000)
    assert not view.busy
    assert view.model.audit.first_error_step == 600
    assert view.step_list.currentIndex().row() == view.model.row_of(600)


def test_a_late_result_for_a_turn_no_longer_shown_is_dropped(view, audit_store):
    view.show_turn(make_turn(audit_store, text=big_trace(), turn_id="t_big"))
    small = make_turn(audit_store, turn_id="t_small")
    view.show_turn(small)
    assert view.wait(30_000)
    QCoreApplication.processEvents()
    QCoreApplication.processEvents()
    assert view.turn is small and view.loaded.turn_id == "t_small"
    assert view.strip_label.text().startswith("1 arithmetic error (step 2)")


def critic_review(parent_id="t_audit"):
    verdict = CriticVerdict(1, "error", "arithmetic", "17 × 3 = 41", "17 × 3 is 51.", 0, 11)
    critic_turn = Turn(
        id="t_critic",
        conversation_id="c",
        prompt="",
        provider="ollama",
        model="judge-1",
        parent_id=parent_id,
        purpose="critic",
    )
    return CriticReview(critic_turn, CriticOpinion(1, (verdict,), "json"), (1,))


def test_a_critic_is_requested_and_shown_apart_with_agreement(qtbot, view, audit_store):
    view.show_turn(make_turn(audit_store))
    with qtbot.waitSignal(view.sig_critic_requested) as asked:
        view.critic_button.click()
    assert asked.args == ["t_audit"]
    view.show_critic(critic_review(parent_id="t_elsewhere"))
    assert not view.critic_frame.isVisibleTo(view)
    view.show_critic(critic_review())
    assert view.critic_frame.isVisibleTo(view)
    assert "judge-1" in view.critic_label.text()
    assert "Agrees with the checks on step 2." in view.critic_label.text()
    assert "judge-1" not in view.whole_label.text() + view.strip_label.text()
    assert view.model.index(view.model.row_of(1)).data(CRITIC_ROLE)[0].verdict == "error"


def test_export_writes_markdown_and_html(view, audit_store, tmp_path):
    view.show_turn(make_turn(audit_store))
    view.select_step(1)
    view.verdict_panel.choose("spurious", "off by ten")
    view.show_critic(critic_review())
    view.export_report(tmp_path / "audit.md", "markdown")
    md = (tmp_path / "audit.md").read_text(encoding="utf-8")
    assert "**17 × 3 = 41**" in md and "Your verdict: spurious" in md and "judge-1" in md
    view.export_report(tmp_path / "audit.html", "html")
    page = (tmp_path / "audit.html").read_text(encoding="utf-8")
    assert '<mark class="error"' in page and "<script" not in page
    with pytest.raises(ValueError):
        view.export_report(tmp_path / "audit.pdf", "pdf")


def test_the_critic_dialog_remembers_the_last_model(qtbot, audit_store):
    dialog = CriticDialog(audit_store)
    qtbot.addWidget(dialog)
    assert not dialog.ok_button.isEnabled()
    dialog.provider_box.setCurrentIndex(dialog.provider_box.findData("ollama"))
    qtbot.keyClicks(dialog.model_edit, "qwen3:1.7b")
    assert dialog.ok_button.isEnabled()
    dialog.accept()
    again = CriticDialog(audit_store)
    qtbot.addWidget(again)
    assert again.choice() == ModelChoice("ollama", "qwen3:1.7b", None)


def test_marks_are_made_again_for_a_dark_palette(qtbot, view, audit_store):
    view.show_turn(make_turn(audit_store))
    index, _ = rect_of(qtbot, view, view.model.row_of(1))

    def mark_background():
        laid = view.delegate.laid_out(index)
        return laid.doc.findBlock(0).begin().fragment().charFormat().background().color()

    light = mark_background()
    view.setPalette(QPalette(QColor("#202124")))  # Qt derives a whole dark palette from it
    dark = mark_background()
    assert dark.lightness() < light.lightness()
    assert dark.lightness() < 128 < light.lightness()


def test_a_note_being_typed_is_kept_when_the_turn_changes(qtbot, view, audit_store):
    turn = make_turn(audit_store)
    view.show_turn(turn)
    view.select_step(1)
    view.verdict_panel.note_edit.setFocus()
    qtbot.keyClicks(view.verdict_panel.note_edit, "typed, never confirmed")
    view.show_turn(make_turn(audit_store, turn_id="t_next"))
    assert audit_store.verdicts("t_audit") == {1: ("unsure", "typed, never confirmed")}
    assert audit_store.verdicts("t_next") == {}


def test_a_failing_check_gives_a_sentence_not_a_traceback(qtbot, view, audit_store, monkeypatch):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("a check divided by zero")

    monkeypatch.setattr("client.audit.service.audit_trace", broken)
    view.show_turn(make_turn(audit_store))
    assert view.strip_label.text() == "The audit could not be made."
    assert "a check divided by zero" in view.status_label.text()
    view.inline_chars = 0  # the same, from the pool
    view.show_turn(make_turn(audit_store, turn_id="t_pool"))
    qtbot.waitUntil(lambda: not view.busy)
    assert "a check divided by zero" in view.status_label.text()


def test_the_html_report_renders_the_answer_and_the_markdown_keeps_it(tmp_path):
    from client.audit import audit_trace
    from client.core.conversation import ReasoningTrace, Turn
    from client.core.events import TurnStatus, Visibility
    from client.ui.audit.export import write_report

    turn = Turn(
        id="t_1", conversation_id="c_1", prompt="17 × 3?", provider="ollama", model="qwen3",
        status=TurnStatus.COMPLETE, answer="It is **51**.\n\n<img src=http://x>",
        reasoning=ReasoningTrace(Visibility.RAW, "17 × 3 = 41."),
    )  # fmt: skip
    audit = audit_trace(turn.reasoning.text, answer=turn.answer)
    write_report(tmp_path / "r.html", "html", turn, audit, {}, None)
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<strong>51</strong>" in page and "**51**" not in page
    assert "<img" not in page  # the answer's raw HTML stays inert
    write_report(tmp_path / "r.md", "md", turn, audit, {}, None)
    text = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert "> It is **51**." in text and "\\*\\*51" not in text


MATHS_REASONING = """First add the fractions.

So $\\frac{1}{2} + \\frac{1}{3} = \\frac{2}{5}$, which I keep.

The answer is $\\frac{2}{5}$."""


@pytest.mark.qt_log_ignore(
    r"^This plugin does not support propagateSizeHints\(\)$",
    r"^This plugin does not support raise\(\)$",
)
def test_the_highlighted_false_equation_is_typeset(qtbot, view, audit_store):
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QImage, QTextDocument

    from client.ui.conversation.formula_images import FormulaImages

    view.show_turn(make_turn(audit_store, text=MATHS_REASONING))
    row = view.model.row_of(1)
    index, rect = rect_of(qtbot, view, row)
    assert index.data(SEVERITY_ROLE) == "error"
    laid = view.delegate.laid_out(index)
    start, end, tip = laid.marks[0]
    shown = laid.doc.toPlainText()
    assert shown.startswith("So \ufffc, which")  # the formula is one picture, not TeX
    assert shown[start:end] == "\ufffc"  # and the mark covers exactly that picture
    fmt = laid.doc.find("\ufffc").charFormat()
    assert fmt.isImageFormat() and fmt.background().style() != 0  # marked, typeset
    assert fmt.toolTip() == "$\\frac{1}{2} + \\frac{1}{3} = \\frac{2}{5}$"
    images = FormulaImages.instance()
    qtbot.waitUntil(lambda: images.pending == 0, timeout=30_000)
    name = fmt.toImageFormat().name()
    qtbot.waitUntil(
        lambda: isinstance(
            laid.doc.resource(QTextDocument.ResourceType.ImageResource, QUrl(name)), QImage
        )
    )
    picture = laid.doc.resource(QTextDocument.ResourceType.ImageResource, QUrl(name))
    assert picture.height() > view.fontMetrics().height()  # a built-up fraction, not a line of text
    inside = view.delegate._text_origin(rect)
    tips = [
        view.delegate.tooltip_at(index, rect, inside + QPointF(x, 6)) or ""
        for x in range(0, 200, 4)
    ]
    assert any("\\frac{2}{5}$" in t and "is about" in t for t in tips)


def test_the_html_report_typesets_the_steps_and_the_markdown_keeps_tex(audit_store, tmp_path):
    from client.audit import audit_trace
    from client.ui.audit.export import write_report

    turn = make_turn(audit_store, text=MATHS_REASONING)
    audit = audit_trace(turn.reasoning.text, problem=turn.prompt, answer=turn.answer)
    write_report(tmp_path / "r.html", "html", turn, audit, {}, None)
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert page.count("<math") == 2
    assert '<mark class="error"' in page and "\\frac{1}{2} + \\frac{1}{3} = \\frac{2}{5}" in page
    write_report(tmp_path / "r.md", "md", turn, audit, {}, None)
    markdown_text = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert "<math" not in markdown_text and "frac" in markdown_text
