"""Formula pictures made in a process of their own, so the window's interpreter never makes one.

ziamath is pure Python, and PySide6 keeps the interpreter lock while QtSvg parses and draws:
run on a thread of the window's process, both competed with the GUI thread for that lock, and
a math-heavy answer streaming made the window stutter. The deadline was enforced by raising
exceptions inside the running thread and pausing the cyclic garbage collector of the whole
process meanwhile: fragile, and both are gone.

`FormulaWorker` keeps one long-lived worker process (started with the first formula) and asks
it one formula at a time over a pipe: TeX, display or inline, size, colour, pixel ratio and the
text's x-height go in; the picture's pixels, or the sentence saying why there is none, come
back. The worker typesets with ziamath (client/render/typeset.py) and draws the SVG with QtSvg
(`rasterise`, no QGuiApplication needed). The caller waits on the pipe, holding nothing the GUI
thread needs (FormulaImages calls it from a thread of its own); making a QImage of the pixels
is one copy. Starting the worker, its restarts and its deadline are
`client.core.helper_process`'s, shared with the auditor's process:

- The deadline: a formula not answered within `TIME_LIMIT_S` has its worker killed and fails
  with a sentence saying so; the next formula starts a fresh worker. Starting one (a new
  interpreter importing ziamath) is not counted against any formula's time.
- A worker that died (killed from outside, out of memory) is replaced the same way, and the
  formula it had is asked of the new one once; if that one dies too, the formula fails.
- `stop()` ends the worker now (the window closed; a later formula starts another);
  `shutdown()` ends it for good (the application quits).
- Hostile TeX is refused before it is sent (`typeset.refusal`), and by the worker again.
  Requests and reply headers are JSON, pixels raw bytes, so the window never unpickles what the
  worker wrote; a picture is at most `MAX_SIDE_PX` on either side, and the window reads no more
  bytes than its header announced.
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QImage, QPainter

if TYPE_CHECKING:  # multiprocessing loads with the first formula, not at start-up (10 ms)
    from multiprocessing.connection import Connection

from client.core.helper_process import READY, BadReply, HelperProcess, TimedOut, Unavailable
from client.render.typeset import TIME_LIMIT_S, FormulaError, FormulaKey, refusal, typeset_svg

#: How long a new worker may take to be ready (an interpreter and ziamath on a busy machine).
START_LIMIT_S = 60.0
#: A picture is never larger than this many device pixels on either side.
MAX_SIDE_PX = 4_000
#: The longest reply header read from a worker.
MAX_HEADER_BYTES = 4_096
#: The longest request a worker reads.
MAX_REQUEST_BYTES = 65_536


class FormulaWorker(HelperProcess):
    """Makes formula pictures in a worker process; `picture()` may be called from any thread but
    the GUI's (it waits for the answer), one formula at a time."""

    def __init__(
        self, time_limit_s: float = TIME_LIMIT_S, start_limit_s: float = START_LIMIT_S
    ) -> None:
        super().__init__(
            serve,
            "thinkpane-typesetting",
            time_limit_s=time_limit_s,
            start_limit_s=start_limit_s,
            activity="typesetting",
            noun="the typesetting process",
        )

    def picture(self, key: FormulaKey, x_height: float) -> QImage:
        """`key`'s formula as an image in device pixels, padded for ``align="middle"`` with
        the text's `x_height` (device pixels), or FormulaError saying why it cannot be."""
        reason = refusal(key.tex)
        if reason:
            raise FormulaError(reason)
        request = json.dumps(
            {
                "tex": key.tex,
                "display": key.display,
                "size": key.size,
                "colour": key.colour,
                "scale": key.scale,
                "x_height": x_height,
            }
        ).encode("utf-8")
        try:
            return self.ask(request, lambda connection: _image(connection, key.scale))
        except BadReply:
            raise FormulaError("the typesetting process gave no picture") from None
        except TimedOut:
            raise FormulaError(
                f"the formula took longer than {self.time_limit_s:g} s to typeset"
            ) from None
        except Unavailable as error:
            raise FormulaError(str(error)) from None


def _image(connection: Connection, scale: float) -> QImage:
    """The picture a worker sends (a JSON header, then its pixels), FormulaError with the
    worker's reason, or BadReply."""
    try:
        header = json.loads(connection.recv_bytes(MAX_HEADER_BYTES))
    except ValueError:
        raise BadReply from None
    if not isinstance(header, dict):
        raise BadReply
    if isinstance(header.get("error"), str):
        raise FormulaError(header["error"])
    width, height, stride = header.get("width"), header.get("height"), header.get("stride")
    if not (isinstance(width, int) and isinstance(height, int) and isinstance(stride, int)):
        raise BadReply
    if not (0 < width <= MAX_SIDE_PX and 0 < height <= MAX_SIDE_PX and 4 * width <= stride):
        raise BadReply
    pixels = connection.recv_bytes(stride * height)  # a longer message is an OSError
    if len(pixels) != stride * height:
        raise BadReply
    image = QImage(pixels, width, height, stride, QImage.Format.Format_ARGB32_Premultiplied)
    image = image.copy()  # its own pixels, not the received buffer's
    image.setDevicePixelRatio(scale or 1.0)
    return image


def rasterise(key: FormulaKey, x_height: float) -> QImage:
    """`key`'s formula typeset and drawn as an image in device pixels, padded for
    ``align="middle"``: run by the worker process."""
    from PySide6.QtSvg import QSvgRenderer

    typeset = typeset_svg(key)
    width, ascent, descent = typeset.width, typeset.ascent, typeset.descent
    # Qt centres a middle-aligned object on half the x-height above the baseline.
    top_pad = max(0.0, descent + x_height - ascent)
    bottom_pad = max(0.0, ascent - descent - x_height)
    height = top_pad + ascent + descent + bottom_pad
    if max(width, height) > MAX_SIDE_PX:
        raise FormulaError("the formula is too large to show")
    image = QImage(
        max(1, math.ceil(width)),
        max(1, math.ceil(height)),
        QImage.Format.Format_ARGB32_Premultiplied,
    )
    image.fill(Qt.GlobalColor.transparent)
    image.setDevicePixelRatio(key.scale)
    renderer = QSvgRenderer(QByteArray(typeset.svg.encode("utf-8")))
    if not renderer.isValid():
        raise FormulaError("the typeset formula could not be drawn")
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    scale = key.scale or 1.0  # the painter works in logical pixels on a high-density image
    renderer.render(painter, QRectF(0, top_pad / scale, width / scale, (ascent + descent) / scale))
    painter.end()
    return image


def serve(connection: Connection) -> None:
    """The worker process: draw each formula asked for, until the pipe closes."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C in a terminal is for the window
    rasterise(FormulaKey("x", False, 10.0, "#000000"), 4.0)  # ziamath and QtSvg loaded, warm
    connection.send_bytes(READY)
    while True:
        try:
            request = json.loads(connection.recv_bytes(MAX_REQUEST_BYTES))
            key = FormulaKey(
                str(request["tex"]),
                bool(request["display"]),
                float(request["size"]),
                str(request["colour"]),
                float(request["scale"]),
            )
            x_height = float(request["x_height"])
        except (EOFError, OSError):  # the window is gone (or the request was over-long)
            return
        except (ValueError, KeyError, TypeError):
            connection.send_bytes(b'{"error": "the request could not be read"}')
            continue
        try:
            image = rasterise(key, x_height)
        except FormulaError as error:
            connection.send_bytes(json.dumps({"error": str(error)}).encode("utf-8"))
            continue
        except Exception as error:  # never let one formula take the worker down
            reason = f"the formula could not be drawn ({type(error).__name__})"
            connection.send_bytes(json.dumps({"error": reason}).encode("utf-8"))
            continue
        header = {"width": image.width(), "height": image.height(), "stride": image.bytesPerLine()}
        connection.send_bytes(json.dumps(header).encode("utf-8"))
        connection.send_bytes(image.constBits())
