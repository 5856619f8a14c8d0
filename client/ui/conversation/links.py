"""What a click on a link in model output may do: copy code, or open an address the user saw.

Model output is untrusted, so a link never opens by itself. A click on an http, https or mailto
link shows the full address and asks first; anything else (`javascript:`, `file:`, `data:`, a
relative path) is refused with a sentence. Image placeholders (``thinkpane-image:``) offer the
image's address the same way; the image is never fetched. Code "Copy" links are handled by the
turn that owns the text (it knows which block N is).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox, QWidget


def href_of(url: QUrl) -> str:
    """The link as written in the HTML (percent-encoding kept, as the render helpers expect)."""
    return bytes(url.toEncoded().data()).decode("ascii", "replace")


def safe_address(href: str) -> str | None:
    """The address to offer for a clicked href, or None when Thinkpane will not open it."""
    from client.render import image_address
    from client.render.extension import safe_link_target

    image = image_address(href)
    return safe_link_target(image if image is not None else href)


def ask_before_opening(parent: QWidget | None, address: str) -> bool:
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "Open this address?",
        "This link came from the model's answer. Open it in your web browser?",
        QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Cancel,
        parent,
    )
    box.setInformativeText(address)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    return box.exec() == QMessageBox.StandardButton.Open


class LinkPolicy(QObject):
    """Opens links from model output only on a click, after showing the address.

    `confirm(address) -> bool` asks the user (a dialog by default; tests pass their own) and
    `open_url(QUrl)` hands the address to the system.

    Signals:
        sig_link_opened(str): the address handed to the system browser or mail client.
        sig_link_refused(str): a sentence saying which link was not opened and why.
    """

    sig_link_opened = Signal(str)
    sig_link_refused = Signal(str)

    def __init__(
        self,
        parent_widget: QWidget | None = None,
        confirm: Callable[[str], bool] | None = None,
        open_url: Callable[[QUrl], object] | None = None,
    ) -> None:
        super().__init__(parent_widget)
        self._parent_widget = parent_widget
        self._confirm = confirm or (
            lambda address: ask_before_opening(self._parent_widget, address)
        )
        self._open_url = open_url or QDesktopServices.openUrl

    def open_own(self, url: QUrl) -> None:
        """Open an address Thinkpane itself chose (its README): no question asked."""
        self._open_url(url)
        self.sig_link_opened.emit(url.toString())

    def handle(self, url: QUrl) -> None:
        href = href_of(url)
        address = safe_address(href)
        if address is None:
            shown = href if len(href) <= 80 else href[:77] + "…"
            self.sig_link_refused.emit(
                f"Thinkpane does not open “{shown}”: only http, https and mailto links open, and "
                "only after you confirm the address."
            )
            return
        if not self._confirm(address):
            return
        self._open_url(QUrl(address))
        self.sig_link_opened.emit(address)
