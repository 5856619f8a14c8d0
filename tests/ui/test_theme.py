"""A theme change while the app runs reaches everything at once: the conversation pane, every
rendered prompt and answer (those shown and the next one streamed), the inspector, and links in
labels. Checked on the pixels a user sees: background and text must contrast."""

from __future__ import annotations

from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from client.ui.theme import is_dark
from tests.support.chat import simple_stream
from tests.ui.conftest import (
    CHAT_PATH,
    open_stored_conversation,
    send,
    stream_reply,
    use_replay,
)


def _lightness_spread(widget: QWidget) -> tuple[int, int]:
    """(the background's lightness, the lightness of the text pixels farthest from it)."""
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    counts: dict[int, int] = {}
    for y in range(0, image.height(), 2):
        for x in range(0, image.width(), 2):
            lightness = QColor(image.pixel(x, y)).lightness()
            counts[lightness] = counts.get(lightness, 0) + 1
    background = max(counts, key=counts.__getitem__)
    farthest = max(counts, key=lambda v: abs(v - background))
    return background, farthest


def _dark_with_light_text(widget: QWidget) -> bool:
    background, text = _lightness_spread(widget)
    return background < 110 and text - background > 90


def _turn(qtbot, window, replay, prompt: str) -> None:
    replay.add(CHAT_PATH, stream_reply(simple_stream("Two and two make four.", "**Four.**")))
    before = len(window.conversation.states())
    send(qtbot, window, prompt)
    qtbot.waitUntil(
        lambda: len(window.conversation.states()) == before + 1 and not window.runner.busy,
        timeout=10_000,
    )


def test_a_theme_switch_mid_conversation_reaches_every_rendered_answer(qtbot, window, replay):
    window.theme.set_choice("light")
    window.resize(1280, 800)
    use_replay(window, replay)
    _turn(qtbot, window, replay, "What is 2 + 2?")
    window.theme.set_choice("dark")
    qtbot.waitUntil(lambda: is_dark(window.palette()))
    _turn(qtbot, window, replay, "And 3 + 3?")
    for state in window.conversation.states():
        widget = window.conversation.widget_for(state.id)
        qtbot.waitUntil(lambda w=widget: _dark_with_light_text(w.answer_view))
        assert _dark_with_light_text(widget.prompt_view)
    back, _ = _lightness_spread(window.conversation)
    assert back < 110  # the pane itself, not only the cards
    reasoning = window.inspector.text_view  # the inspector, showing the last turn's reasoning
    qtbot.waitUntil(lambda: "Two and two" in reasoning.toPlainText())
    qtbot.waitUntil(lambda: _dark_with_light_text(reasoning))
    window.theme.set_choice("light")
    qtbot.waitUntil(lambda: not is_dark(window.palette()))
    for state in window.conversation.states():
        background, text = _lightness_spread(window.conversation.widget_for(state.id).answer_view)
        assert background > 150 and background - text > 90
    background, text = _lightness_spread(reasoning)
    assert background > 150 and background - text > 90


def _has_colour(widget: QWidget, colour: QColor, tolerance: int = 40) -> bool:
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    for y in range(image.height()):
        for x in range(image.width()):
            c = QColor(image.pixel(x, y))
            if (
                abs(c.red() - colour.red())
                + abs(c.green() - colour.green())
                + abs(c.blue() - colour.blue())
                < tolerance
            ):
                return True
    return False


def test_links_in_labels_follow_the_theme(qtbot, window, store):

    window.theme.set_choice("light")
    open_stored_conversation(window, store)
    labels = []
    qtbot.waitUntil(
        lambda: bool(
            labels.extend(
                lb for lb in window.findChildren(QLabel)
                if "<a " in lb.text() and lb.isVisibleTo(window)
            ) or labels
        ),
        timeout=10_000,
    )  # fmt: skip
    window.theme.set_choice("dark")
    link = QApplication.palette().color(QPalette.ColorRole.Link)
    for label in labels:
        qtbot.waitUntil(lambda lb=label: _has_colour(lb, link))


def test_following_the_system_scheme(qtbot, window):
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication

    window.theme.set_choice("light")
    window.theme.set_choice("system")
    hints = QGuiApplication.styleHints()
    # What the platform emits when the desktop's scheme changes (offscreen never does by itself).
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    qtbot.waitUntil(lambda: window.theme.name == "dark" and is_dark(window.palette()))
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
    qtbot.waitUntil(lambda: window.theme.name == "light" and not is_dark(window.palette()))
    window.theme.set_choice("dark")  # a choice of the user's wins over the system
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
    assert window.theme.name == "dark"
