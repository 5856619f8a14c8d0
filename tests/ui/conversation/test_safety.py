"""Model output is untrusted: HTML stays text, nothing remote is fetched, links need a click
and a confirmed address, and only http, https and mailto open."""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QTextDocument

from client.core.events import TurnStatus
from tests.support.chat import chunk, usage_chunk
from tests.ui.conftest import CHAT_PATH, send, stream_reply, use_replay


def _hostile(image_url: str) -> str:
    table = "| name | value |\n|---|---|\n" + "".join(f"| row{i} | {i} |\n" for i in range(3000))
    return (
        "Here is <script>alert('owned')</script> and <b onclick=\"x()\">bold?</b>\n\n"
        f"![tracker]({image_url})\n\n"
        "[click me](javascript:alert(1)) and [docs](https://example.com/docs) and "
        "[file](file:///etc/passwd)\n\n"
        f'<img src="{image_url}?raw=1">\n\n' + table
    )


def _anchors(document: QTextDocument) -> list[str]:
    hrefs = []
    block = document.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fmt = it.fragment().charFormat()
            if fmt.isAnchor():
                hrefs.extend(fmt.anchorHref().split("\x00"))
            it += 1
        block = block.next()
    return hrefs


def _stream_answer(qtbot, window, replay, text: str):
    pieces = [text[i : i + 50] for i in range(0, len(text), 50)]
    events = [chunk(content=p) for p in pieces] + [chunk(finish="stop"), usage_chunk(3, 9)]
    replay.add(CHAT_PATH, stream_reply(events))
    use_replay(window, replay)
    send(qtbot, window, "Be hostile")
    qtbot.waitUntil(
        lambda: bool(window.conversation.states()) and not window.runner.busy, timeout=20_000
    )
    state = window.conversation.states()[-1]
    qtbot.waitUntil(lambda: state.turn.status is TurnStatus.COMPLETE)
    widget = window.conversation.widget_for(state.id)
    qtbot.waitUntil(lambda: not widget.rendering)  # the answer's markdown renders on a thread
    return widget


def test_hostile_markdown_is_rendered_inert(qtbot, window, replay, links):
    image_url = replay.url + "/tracker.png"
    widget = _stream_answer(qtbot, window, replay, _hostile(image_url))
    view = widget.answer_view
    html = view.toHtml()
    text = view.toPlainText()
    assert "<script" not in html and 'onclick="' not in html and "<img" not in html
    assert "alert('owned')" in text  # shown as text, never run
    hrefs = _anchors(view.document())
    assert not [h for h in hrefs if h.lower().startswith(("javascript", "file", "data"))]
    assert any(h.startswith("thinkpane-image:") for h in hrefs)
    assert "row0" in text  # the huge table rendered (capped by the renderer), window alive
    assert not replay.requests_to("/tracker.png")
    assert (
        view.loadResource(int(QTextDocument.ResourceType.ImageResource.value), QUrl(image_url))
        is None
    )
    assert not replay.requests_to("/tracker.png")
    assert not links.asked and not links.opened


def test_links_open_only_after_the_address_is_confirmed(qtbot, window, replay, links):
    image_url = replay.url + "/tracker.png"
    widget = _stream_answer(qtbot, window, replay, _hostile(image_url))
    view = widget.answer_view
    image_href = next(h for h in _anchors(view.document()) if h.startswith("thinkpane-image:"))

    view.anchorClicked.emit(QUrl("javascript:alert(1)"))
    assert not links.asked
    assert "does not open" in window.statusBar().currentMessage()

    view.anchorClicked.emit(QUrl("https://example.com/docs"))
    assert links.asked == ["https://example.com/docs"] and links.opened == []  # declined

    links.answer = True
    view.anchorClicked.emit(QUrl(image_href))
    assert links.asked[-1] == image_url
    assert links.opened == [image_url]  # handed to the system browser, not fetched by us
    assert not replay.requests_to("/tracker.png")


def test_code_copy_link_copies_that_block(qtbot, window, replay, qapp):
    text = "Two blocks:\n\n```python\nprint('one')\n```\n\nand\n\n```sh\necho two\n```\n"
    widget = _stream_answer(qtbot, window, replay, text)
    copy_links = [
        h for h in _anchors(widget.answer_view.document()) if h.startswith("thinkpane-copy:")
    ]
    assert copy_links == ["thinkpane-copy:0", "thinkpane-copy:1"]
    widget.answer_view.anchorClicked.emit(QUrl("thinkpane-copy:1"))
    assert qapp.clipboard().text().strip() == "echo two"
