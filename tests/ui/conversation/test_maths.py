"""Maths in the window: typeset pictures in the answer and the reasoning, copied as TeX, in both
themes; hostile formulas fetch nothing; a formula streams in as source and closes as a picture."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QUrl
from PySide6.QtGui import QColor, QImage, QPalette, QTextCursor, QTextDocument
from PySide6.QtWidgets import QApplication

from client.core.events import TurnStatus
from client.render.maths import formulas
from client.ui.conversation.browser import AnswerBrowser
from client.ui.conversation.formula_images import MATH_PREFIX, FormulaImages
from client.ui.inspector.reasoning_text import ReasoningWriter
from tests.support.chat import simple_stream
from tests.support.replay import ReplayServer
from tests.ui.conftest import CHAT_PATH, send, stream_reply, use_replay

ANSWER = (
    "The number of ways is $\\binom{28}{4} = 20475$, and the roots are\n\n"
    "$$x = \\frac{-b \\pm \\sqrt{b^2-4ac}}{2a}$$\n\n"
    "A notebook costs $3 and a pen $4."
)
REASONING = (
    "Let me use \\(n^2 + 1\\) here.\n\nSo $\\frac{1}{2} + \\frac{1}{3} = \\frac{5}{6}$, fine."
)


def formula_images(document: QTextDocument) -> list[tuple[int, str]]:
    """(position, address) of every formula picture in `document`."""
    found = []
    cursor = document.find("\ufffc")
    while not cursor.isNull():
        fmt = cursor.charFormat()
        if fmt.isImageFormat() and fmt.toImageFormat().name().startswith(MATH_PREFIX):
            found.append((cursor.selectionStart(), fmt.toImageFormat().name()))
        cursor = document.find("\ufffc", cursor)
    return found


def typeset_everything(qtbot) -> None:
    images = FormulaImages.instance()
    qtbot.waitUntil(lambda: images.pending == 0, timeout=30_000)
    qtbot.wait(10)  # the last ready signal is delivered


def ink(image: QImage) -> QColor | None:
    """The colour of the most opaque pixel: the formula's ink."""
    best, colour = 0, None
    for y in range(0, image.height(), 2):
        for x in range(0, image.width(), 2):
            pixel = image.pixelColor(x, y)
            if pixel.alpha() > best:
                best, colour = pixel.alpha(), pixel
    return colour


@pytest.fixture
def kept_palette(qapp):
    """The application's palette as it was: a dark window must not darken later tests."""
    palette = QPalette(qapp.palette())
    yield
    qapp.setPalette(palette)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_an_answer_with_formulas_shows_pictures_copied_as_their_source(
    qtbot, make_window, replay, monkeypatch, theme, kept_palette
):
    monkeypatch.setenv("THINKPANE_THEME", theme)
    window = make_window()
    replay.add(CHAT_PATH, stream_reply(simple_stream(REASONING, ANSWER)))
    use_replay(window, replay)
    send(qtbot, window, "How many ways?")
    qtbot.waitUntil(
        lambda: bool(window.conversation.states()) and not window.runner.busy, timeout=10_000
    )
    state = window.conversation.states()[-1]
    qtbot.waitUntil(lambda: state.turn.status is TurnStatus.COMPLETE)
    widget = window.conversation.widget_for(state.id)
    widget.refresh()
    typeset_everything(qtbot)

    view = widget.answer_view
    qtbot.waitUntil(lambda: view.formulas().outstanding == 0)
    pictures = formula_images(view.document())
    assert len(pictures) == 2  # the prices stayed text
    assert "costs $3 and a pen $4" in view.toPlainText()
    # Each picture is the typeset formula in the theme's text colour, not its source text.
    text_colour = view.palette().color(QPalette.ColorRole.Text)
    for _, name in pictures:
        image = view.document().resource(QTextDocument.ResourceType.ImageResource, QUrl(name))
        assert isinstance(image, QImage) and not image.isNull()
        colour = ink(image)
        assert colour is not None
        assert abs(colour.lightness() - text_colour.lightness()) < 60, (theme, colour.name())
    # The pictures are laid out at their own size, not the size of the source shown before.
    laid_out = 0
    for position, name in pictures:
        image = view.document().resource(QTextDocument.ResourceType.ImageResource, QUrl(name))
        cursor = QTextCursor(view.document())
        cursor.setPosition(position)
        before = view.cursorRect(cursor).left()
        cursor.setPosition(position + 1)
        after = view.cursorRect(cursor).left()
        width = image.width() / image.devicePixelRatio()
        if after > before:  # both sides on one line (a centred display formula ends its line)
            assert abs((after - before) - width) <= 2, (name, after - before, width)
            laid_out += 1
    assert laid_out >= 1
    view.selectAll()
    copied = view.createMimeDataFromSelection().text()
    assert "$\\binom{28}{4} = 20475$" in copied
    assert "$$x = \\frac{-b \\pm \\sqrt{b^2-4ac}}{2a}$$" in copied
    assert "\ufffc" not in copied
    # Hovering a formula shows its source (the picture's tooltip).
    position, _ = pictures[0]
    cursor = view.document().find("\ufffc", position)
    assert cursor.charFormat().toolTip() == "$\\binom{28}{4} = 20475$"

    # The reasoning, raw, has its formulas typeset too, and reads back as written.
    inspector = window.inspector
    assert len(formula_images(inspector.text_view.document())) == 2
    assert inspector.text() == REASONING


def test_a_formula_streams_in_as_source_and_closes_as_a_picture(qtbot, qapp):
    view = AnswerBrowser()
    qtbot.addWidget(view)
    writer = ReasoningWriter(view.document())
    writer.append("So we get $\\frac{1}")
    assert formula_images(view.document()) == []
    assert "$\\frac{1}" in view.toPlainText()
    writer.append("{2}$ and more")
    assert len(formula_images(view.document())) == 1
    assert writer.text() == "So we get $\\frac{1}{2}$ and more"


@pytest.mark.parametrize("seed", range(6))
def test_reasoning_split_anywhere_reads_back_exactly(qapp, seed):
    text = REASONING + "\n\n$$\n\\sum_k k\n$$\nafter $5 and $x$5 end\n\n\\[ y \\]"
    rnd = random.Random(seed)
    document = QTextDocument()
    writer = ReasoningWriter(document)
    i = 0
    while i < len(text):
        size = rnd.randint(1, 9)
        writer.append(text[i : i + size])
        i += size
    assert writer.text() == text
    assert len(formula_images(document)) == len(formulas(text))
    whole = QTextDocument()
    ReasoningWriter(whole).set_text(text)
    assert whole.toPlainText() == document.toPlainText()


def test_hostile_maths_is_shown_as_source_and_fetches_nothing(qtbot, qapp):
    from client.render import render_markdown

    with ReplayServer() as watcher:
        base = watcher.url
        hostile = (
            f"$\\href{{{base}/href}}{{x}}$ $\\url{{{base}/url}}$ "
            f"$\\includegraphics{{{base}/img.png}}$ $\\htmlClass{{{base}/c}}{{y}}$\n\n"
            "\\[\\def\\a{\\a\\a}\\a\\] $\\newcommand{\\b}{\\b\\b}\\b$ "
            f"![pic]({base}/md.png) <img src='{base}/raw.png'>"
        )
        view = AnswerBrowser()
        qtbot.addWidget(view)
        view.resize(500, 300)
        view.show()
        view.setHtml(render_markdown(hostile))
        qtbot.wait(50)
        typeset_everything(qtbot)
        assert len(formula_images(view.document())) == 6
        images = FormulaImages.instance()
        for _, name in formula_images(view.document()):
            tex = QUrl.fromPercentEncoding(name[len(MATH_PREFIX) + 1 :].encode())
            key = view.formulas().key(tex, name[len(MATH_PREFIX)] == "d")
            assert images.picture(key, 8.0) == (True, None), tex  # known: not typeset
        assert watcher.received == []
        assert not [r for r in view.refused_resources if "127.0.0.1" not in r]


def _laid_out_width(view, position: int) -> float:
    cursor = QTextCursor(view.document())
    cursor.setPosition(position)
    before = view.cursorRect(cursor).left()
    cursor.setPosition(position + 1)
    return view.cursorRect(cursor).left() - before


def test_a_picture_that_arrives_replaces_the_source_in_the_layout(qtbot, qapp):
    from client.render import render_markdown

    FormulaImages.instance().clear()
    view = AnswerBrowser()
    qtbot.addWidget(view)
    view.resize(700, 200)
    view.show()
    view.setHtml(render_markdown("Then $\\sum_{i = 1}^{n} i = 12 + 34 + 56 + 78$ follows."))
    [(position, name)] = formula_images(view.document())
    shown_first = _laid_out_width(view, position)  # laid out with the source text
    typeset_everything(qtbot)
    qtbot.waitUntil(lambda: view.formulas().outstanding == 0)
    image = view.document().resource(QTextDocument.ResourceType.ImageResource, QUrl(name))
    width = image.width() / image.devicePixelRatio()
    assert abs(width - shown_first) > 5  # the picture is not the size of its source
    assert abs(_laid_out_width(view, position) - width) <= 2


def test_search_snippets_keep_the_tex(store):
    from client.ui.history.search_dialog import SearchHit, hit_html

    conversation = store.create_conversation("Maths")
    from tests.store.conftest import full_turn

    store.insert_turn(full_turn(conversation.id, answer="So $\\binom{28}{4} = 20475$ ways."))
    rows = store.search("20475")
    assert rows and "\\binom{28}{4}" in rows[0]["snippet"]
    hit = SearchHit(
        conversation.id, rows[0]["turn_id"], "answer", rows[0]["snippet"], "", "Maths", "20475"
    )
    shown = hit_html(hit)
    assert "\\binom{28}{4}" in shown and "<img" not in shown


@pytest.mark.qt_log_ignore(
    r"^This plugin does not support propagateSizeHints\(\)$",
    r"^This plugin does not support raise\(\)$",
)
def test_hovering_a_formula_shows_its_source(qtbot, qapp):
    from PySide6.QtCore import QEvent, QPoint
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QToolTip

    from client.render import render_markdown

    view = AnswerBrowser()
    qtbot.addWidget(view)
    view.resize(600, 200)
    view.show()
    qtbot.waitExposed(view)
    view.setHtml(render_markdown("Here \\(\\frac{1}{2} + \\frac{1}{3}\\) is a sum."))
    typeset_everything(qtbot)
    qtbot.waitUntil(lambda: view.formulas().outstanding == 0)
    [(position, _)] = formula_images(view.document())
    cursor = QTextCursor(view.document())
    cursor.setPosition(position)
    left = view.cursorRect(cursor)
    cursor.setPosition(position + 1)
    right = view.cursorRect(cursor)
    for x in (left.left() + 2, (left.left() + right.left()) // 2, right.left() - 2):
        point = QPoint(x, left.center().y())
        event = QHelpEvent(QEvent.Type.ToolTip, point, view.viewport().mapToGlobal(point))
        QApplication.sendEvent(view.viewport(), event)
        assert QToolTip.text() == "\\(\\frac{1}{2} + \\frac{1}{3}\\)", x
        QToolTip.hideText()


def test_a_new_theme_redraws_the_formulas_in_its_text_colour(qtbot, qapp):
    from client.render import render_markdown
    from client.ui.theme import palette_for

    view = AnswerBrowser()
    qtbot.addWidget(view)
    view.setPalette(palette_for("light"))
    view.resize(500, 150)
    view.show()
    view.setHtml(render_markdown("Area $\\pi r^2$ here."))
    writer_view = AnswerBrowser()  # the inspector's kind of document: written, not set as HTML
    qtbot.addWidget(writer_view)
    writer_view.setPalette(palette_for("light"))
    ReasoningWriter(writer_view.document()).set_text("Area $\\pi r^2$ here.")

    def ink_lightness(browser) -> int:
        [(_, name)] = formula_images(browser.document())
        image = browser.document().resource(QTextDocument.ResourceType.ImageResource, QUrl(name))
        return ink(image).lightness()

    for browser in (view, writer_view):
        browser.document().size()  # laid out: the picture is asked for
        typeset_everything(qtbot)
        qtbot.waitUntil(lambda b=browser: b.formulas().outstanding == 0)
        assert ink_lightness(browser) < 100
        browser.setPalette(palette_for("dark"))
        typeset_everything(qtbot)
        qtbot.waitUntil(lambda b=browser: b.formulas().outstanding == 0)
        assert ink_lightness(browser) > 150


_PIECES = st.sampled_from(
    ["$", "$$", "\\(", "\\)", "\\[", "\\]", "`", "x", "1", " ", "\n", "\n\n", "{", "é"]
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join), st.lists(st.integers(1, 7), max_size=20))
def test_any_reasoning_in_any_chunks_is_shown_once(qapp, text, sizes):
    # Every character of the text is in the document exactly once: prose as itself, each
    # formula as one picture whose source is the formula's characters.
    document = QTextDocument()
    writer = ReasoningWriter(document)
    position = 0
    for size in sizes:
        writer.append(text[position : position + size])
        position += size
    writer.append(text[position:])
    assert writer.text() == text.replace("\r\n", "\n")
    assert len(formula_images(document)) == len(formulas(text))


def _shown_as_source(view, name: str) -> bool:
    """Whether the formula picture `name` in `view` is its source as quiet text."""
    from client.ui.conversation.formula_images import source_image

    tex = QUrl.fromPercentEncoding(name[len(MATH_PREFIX) + 1 :].encode())
    display = name[len(MATH_PREFIX)] == "d"
    formulas_ = view.formulas()
    source = source_image(
        f"$${tex}$$" if display else f"${tex}$",
        formulas_._font,
        formulas_._quiet,
        formulas_._ratio,
    )
    shown = view.document().resource(QTextDocument.ResourceType.ImageResource, QUrl(name))
    return isinstance(shown, QImage) and shown == source


def test_a_formula_over_its_deadline_stays_source_and_the_next_one_renders(
    qtbot, qapp, monkeypatch
):
    from client.render import render_markdown
    from tests.ui.conversation.test_formula_worker import SLOW

    images = FormulaImages.instance()
    typesetter = images.typesetter
    view = AnswerBrowser()
    qtbot.addWidget(view)
    view.resize(700, 300)
    view.show()
    view.setHtml(render_markdown("Warm: $a_0$."))
    typeset_everything(qtbot)
    started = typesetter.starts
    first = typesetter.pid
    assert first is not None

    monkeypatch.setattr(typesetter, "time_limit_s", 0.05)
    view.setHtml(render_markdown(f"Slow: ${SLOW}$ here."))
    [(_, slow_name)] = formula_images(view.document())
    typeset_everything(qtbot)
    qtbot.waitUntil(lambda: view.formulas().outstanding == 0)
    slow_key = view.formulas().key(SLOW, False)
    assert images.picture(slow_key, 8.0) == (True, None)  # known: not typeset
    assert "longer than" in images.reason(slow_key)
    assert _shown_as_source(view, slow_name)
    assert view.toPlainText() == "Slow: \ufffc here."
    view.selectAll()
    assert f"${SLOW}$" in view.createMimeDataFromSelection().text()  # copied as its TeX

    monkeypatch.setattr(typesetter, "time_limit_s", 2.0)
    view.setHtml(render_markdown(f"Slow: ${SLOW}$ here, then $\\frac{{7}}{{9}}$."))
    typeset_everything(qtbot)
    qtbot.waitUntil(lambda: view.formulas().outstanding == 0)
    [(_, still_slow), (_, next_name)] = formula_images(view.document())
    assert _shown_as_source(view, still_slow)  # not asked again: it stays source
    assert not _shown_as_source(view, next_name)
    assert images.picture(view.formulas().key("\\frac{7}{9}", False), 8.0)[1] is not None
    assert typesetter.starts == started + 1 and typesetter.pid not in (None, first)


def test_a_killed_typesetting_process_is_replaced(qtbot, qapp):
    import os
    import signal

    from client.render import render_markdown
    from tests.ui.conversation.test_formula_worker import wait_until_gone

    images = FormulaImages.instance()
    view = AnswerBrowser()
    qtbot.addWidget(view)
    view.resize(700, 300)
    view.show()
    view.setHtml(render_markdown("Before: $b_1 + b_2$."))
    typeset_everything(qtbot)
    qtbot.waitUntil(lambda: view.formulas().outstanding == 0)
    pid = images.typesetter.pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    wait_until_gone(pid)

    view.setHtml(render_markdown("Before: $b_1 + b_2$. After: $c_3 \\cdot c_4$."))
    typeset_everything(qtbot)
    qtbot.waitUntil(lambda: view.formulas().outstanding == 0)
    for _, name in formula_images(view.document()):
        assert not _shown_as_source(view, name), name
    assert images.typesetter.pid not in (None, pid)


def test_closing_the_window_ends_the_typesetting_process(qtbot, make_window, replay):
    from tests.ui.conversation.test_formula_worker import wait_until_gone

    window = make_window()
    replay.add(CHAT_PATH, stream_reply(simple_stream(REASONING, ANSWER)))
    use_replay(window, replay)
    send(qtbot, window, "How many ways?")
    qtbot.waitUntil(
        lambda: bool(window.conversation.states()) and not window.runner.busy, timeout=10_000
    )
    widget = window.conversation.widget_for(window.conversation.states()[-1].id)
    widget.refresh()
    typeset_everything(qtbot)
    qtbot.waitUntil(lambda: widget.answer_view.formulas().outstanding == 0)
    pid = FormulaImages.instance().typesetter.pid
    assert pid is not None
    window.close()
    wait_until_gone(pid)
    assert FormulaImages.instance().typesetter.pid is None


def test_the_browser_knows_formula_addresses_without_loading_the_pictures():
    """browser.py spells the prefix itself so that formula_images loads with the first formula,
    not with the window (tests/ui/test_startup_imports.py): the two must stay the same."""
    from client.render.typeset import MATH_SCHEME
    from client.ui.conversation import browser

    assert browser.MATH_PREFIX == MATH_PREFIX == MATH_SCHEME
