"""The pieces under the panes: incremental rendering matches a whole render, the paced renderer
catches up, the throttle coalesces, and the theme follows THINKPANE_THEME."""

from __future__ import annotations

import random

from PySide6.QtGui import QTextCursor, QTextDocument

from client.render import StreamingDocument, render_markdown
from client.ui.conversation.browser import StreamingWriter
from client.ui.conversation.paced import PacedRenderer
from client.ui.turns.throttle import Throttle

MARKDOWN = (
    "# Heading\n\nA paragraph with **bold** and `code`.\n\n- one\n- two\n\n1. first\n2. second\n\n"
    "> a quote\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nAfter the table.\n\n"
    "```python\ndef f(x):\n    return x\n```\n\n## Second heading\n\nThe end."
)


def _blocks(document: QTextDocument) -> list[tuple]:
    out = []
    block = document.begin()
    while block.isValid():
        if block.text().strip():
            fmt = block.blockFormat()
            out.append(
                (
                    block.text(),
                    fmt.headingLevel(),
                    block.textList() is not None,
                    fmt.nonBreakableLines(),
                    QTextCursor(block).currentTable() is not None,
                )
            )
        block = block.next()
    return out


def test_incremental_updates_give_the_same_document_as_a_whole_render(qapp):
    whole = QTextDocument()
    whole.setHtml(render_markdown(MARKDOWN))
    for seed in range(4):
        rnd = random.Random(seed)
        document, stream = QTextDocument(), StreamingDocument()
        writer = StreamingWriter(document)
        i = 0
        while i < len(MARKDOWN):
            size = rnd.randint(1, 40)
            writer.apply(stream.append(MARKDOWN[i : i + size]))
            i += size
        writer.apply(stream.finish())
        assert _blocks(document) == _blocks(whole), seed


def test_paced_renderer_catches_up_and_finishes(qtbot, qapp):
    document = QTextDocument()
    renderer = PacedRenderer(document)
    renderer.start("", "light")
    long_text = MARKDOWN * 40
    for i in range(0, len(long_text), 700):
        renderer.feed(long_text[i : i + 700])
    renderer.finish()
    qtbot.waitUntil(lambda: not renderer.active, timeout=20_000)
    whole = QTextDocument()
    whole.setHtml(render_markdown(long_text))
    assert document.toPlainText().split() == whole.toPlainText().split()


def test_the_answer_markdown_is_rendered_off_the_gui_thread(qtbot, qapp, monkeypatch):
    """A streaming answer's markdown runs on the render thread: the GUI thread only writes HTML."""
    import threading

    from client.render.markdown_html import MarkdownRenderer

    on_gui: list[bool] = []
    render = MarkdownRenderer.render

    def watched(self, text, **kw):  # type: ignore[no-untyped-def]
        on_gui.append(threading.current_thread() is threading.main_thread())
        return render(self, text, **kw)

    monkeypatch.setattr(MarkdownRenderer, "render", watched)
    document = QTextDocument()
    renderer = PacedRenderer(document)
    renderer.start("", "light")
    for i in range(0, len(MARKDOWN), 30):
        renderer.feed(MARKDOWN[i : i + 30])
        qtbot.wait(2)
    renderer.finish()
    qtbot.waitUntil(lambda: not renderer.active and renderer.pending == 0, timeout=20_000)
    assert on_gui and not any(on_gui)
    whole = QTextDocument()
    whole.setHtml(render_markdown(MARKDOWN))
    assert _blocks(document) == _blocks(whole)


def test_a_stored_answer_replaces_one_still_rendering(qtbot, qapp):
    """set_html (the turn was replaced, say) drops whatever the thread still had in hand."""
    document = QTextDocument()
    renderer = PacedRenderer(document)
    renderer.start("", "light")
    renderer.feed(MARKDOWN * 30)
    renderer.set_html("<p>Stored answer.</p>")
    qtbot.wait(300)  # time for the thread to finish what it had
    assert document.toPlainText().strip() == "Stored answer."
    assert not renderer.active and renderer.pending == 0


def test_starting_again_mid_stream_renders_only_the_new_start(qtbot, qapp):
    """A theme change renders the answer so far again from scratch, in the new theme."""
    document = QTextDocument()
    renderer = PacedRenderer(document)
    renderer.start("", "light")
    renderer.feed("Old text that goes away.\n\n" * 50)
    renderer.start("# New start\n\nFresh.", "dark")
    renderer.finish()
    qtbot.waitUntil(lambda: not renderer.active, timeout=20_000)
    assert document.toPlainText().split() == ["New", "start", "Fresh."]


def test_a_renderer_that_breaks_keeps_what_it_showed_and_stops_waiting(qtbot, qapp, monkeypatch):
    from client.render.streaming import IncrementalDocument

    extend = IncrementalDocument.extend

    def breaking(self, delta):  # type: ignore[no-untyped-def]
        if "BOOM" in delta:
            raise ValueError("a renderer bug")
        return extend(self, delta)

    monkeypatch.setattr(IncrementalDocument, "extend", breaking)
    document = QTextDocument()
    renderer = PacedRenderer(document)
    renderer.start("First paragraph.\n\n", "light")
    qtbot.waitUntil(lambda: "First paragraph." in document.toPlainText())
    renderer.feed("BOOM")
    qtbot.waitUntil(lambda: not renderer.active and renderer.pending == 0)
    assert "First paragraph." in document.toPlainText()
    renderer.start("Next answer.", "light")  # the thread still serves the next one
    renderer.finish()
    qtbot.waitUntil(lambda: not renderer.active)
    assert document.toPlainText().strip() == "Next answer."


def test_throttle_runs_at_once_then_folds_a_burst_into_one_call(qtbot, qapp):
    calls = []
    throttle = Throttle(lambda: calls.append(1), interval_ms=50)
    throttle()
    assert calls == [1]
    for _ in range(100):
        throttle()
    assert calls == [1]
    qtbot.waitUntil(lambda: len(calls) == 2)
    throttle.flush()  # nothing pending: nothing runs
    assert len(calls) == 2


def test_theme_follows_thinkpane_theme(qtbot, make_window, monkeypatch):
    monkeypatch.setenv("THINKPANE_THEME", "dark")
    window = make_window(start=False)
    assert window.theme.name == "dark"
    qtbot.waitUntil(
        lambda: window.palette().color(window.palette().ColorRole.Window).lightness() < 128
    )
    window.theme.set_choice("light")  # the environment still wins
    assert window.theme.name == "dark"
