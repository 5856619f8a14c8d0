"""Fixtures for window tests: a real MainWindow on a temporary store, talking to the replay server.

Discovery and remote model lists are replaced by functions the test controls (no real port is
probed), links are confirmed by a recorder instead of a dialog, and nothing is opened in a real
browser. Closing the window at the end stops running turns and waits for their workers, so no
thread outlives its test.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # no display needed, none touched

from PySide6.QtCore import Qt, QUrl  # noqa: E402

from tests.support.replay import Reply, sse  # noqa: E402

CHAT_PATH = "/v1/chat/completions"


@dataclass
class LinkRecorder:
    answer: bool = False
    asked: list[str] = field(default_factory=list)
    opened: list[str] = field(default_factory=list)

    def confirm(self, address: str) -> bool:
        self.asked.append(address)
        return self.answer

    def open_url(self, url: QUrl) -> bool:
        self.opened.append(url.toString())
        return True


@pytest.fixture
def links() -> LinkRecorder:
    return LinkRecorder()


@pytest.fixture
def store(thinkpane_home):
    from client.store.store import Store

    with Store.open() as opened:
        yield opened


@pytest.fixture
def discovered() -> list[Any]:
    """What discovery will report; tests append LocalServer values before the window starts."""
    return []


@pytest.fixture
def make_window(qtbot, qapp, store, links, discovered) -> Iterator[Callable[..., Any]]:
    from client.ui.app import build_window
    from client.ui.collector import GuiThreadCollector

    windows = []
    collector = GuiThreadCollector()  # as in the app: cycles are freed on the GUI thread

    def make(start: bool = True, **options: Any):
        window = build_window(
            qapp,
            store,
            discover=lambda: list(discovered),
            list_remote=options.pop("list_remote", lambda: {}),
            confirm_link=links.confirm,
            open_url=links.open_url,
            **options,
        )
        qtbot.addWidget(window)
        windows.append(window)
        window.show()
        if start:
            with qtbot.waitSignal(window.sig_ready, timeout=20_000):
                window.start()
        return window

    yield make
    for window in windows:
        window.close()
    collector.stop()


@pytest.fixture
def window(make_window):
    return make_window()


def use_replay(window, replay, model: str = "qwen3") -> None:
    from client.ui.composer.model_picker import ModelChoice

    window.composer.set_choice(ModelChoice("openai-compatible", model, replay.url + "/v1"))


def send(qtbot, window, text: str) -> None:
    edit = window.composer.edit
    edit.setPlainText(text)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


def stream_reply(events: list[dict[str, Any]], **options: Any) -> Reply:
    return Reply(chunks=sse(*events, done=True), **options)


def open_stored_conversation(window, store, title: str = "Sums"):
    """A stored conversation of one answered turn, opened in the window; returns it."""
    from client.core.conversation import Turn, new_id
    from client.core.events import TurnStatus

    conversation = store.create_conversation(title)
    store.insert_turn(
        Turn(id=new_id("t"), conversation_id=conversation.id, prompt="2 + 2?", answer="4",
             provider="ollama", model="qwen3", status=TurnStatus.COMPLETE)
    )  # fmt: skip
    window.conversations.refresh_conversations()
    window.conversations.open_conversation(conversation.id)
    return conversation
