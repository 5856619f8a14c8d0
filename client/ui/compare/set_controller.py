"""Running a prompt set in the window: one comparison per prompt, one prompt after another, on a
thread of its own, with the summary following each finished prompt.

The comparisons are planned at the budget gate (client.compare.prompt_set.plan_set: a prompt
run before with these settings is resumed, only what it lacks is sent), so the estimate that is
checked is what is left to send. Each comparison stores its runs as turns through the runner's
turn controller, like any send. Stop cancels the prompt running and starts no more; the summary
keeps the prompts that finished, and every finished run stays stored.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from client.compare.prompt_set import PromptItem, SetSummary
from client.compare.report import ComparisonFigures, figures
from client.compare.runner import Comparison, RunResult
from client.core import format as fmt
from client.ui.compare.set_view import PromptSetWindow


class _Bridge(QObject):
    """A worker's news, queued to the GUI thread."""

    sig_prompt_started = Signal(int)
    sig_run_done = Signal()
    sig_prompt_done = Signal(int, object)  # index, ComparisonFigures
    sig_finished = Signal()
    sig_failed = Signal(str)


class PromptSetController(QObject):
    """Signals: sig_finished(): the set ended (done, stopped or failed)."""

    sig_finished = Signal()

    def __init__(
        self, parent: QWidget, after_run: Callable[[str | None], None] | None = None
    ) -> None:
        super().__init__(parent)
        self._parent = parent  # the prompt set's window is its child
        self._after_run = after_run
        self.view_window: PromptSetWindow | None = None
        self.comparisons: list[Comparison] = []
        self.items: list[PromptItem] = []
        self.summary: SetSummary | None = None
        self._current: Comparison | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._runs_done = 0
        self._active = False
        self._closing = False
        self._bridge = _Bridge(self)
        self._bridge.sig_prompt_started.connect(self._on_prompt_started)
        self._bridge.sig_run_done.connect(self._on_run_done)
        self._bridge.sig_prompt_done.connect(self._on_prompt_done)
        self._bridge.sig_finished.connect(self._on_finished)
        self._bridge.sig_failed.connect(self._on_failed)

    @property
    def running(self) -> bool:
        """From start until the window heard the set end (its thread may linger a moment)."""
        return self._active

    def run_done(self, result: RunResult) -> None:
        """A comparison's `on_done` (on a worker): one run more for the progress bar (a run
        stopped is not done: the set sends it again when resumed)."""
        if not result.stopped:
            self._bridge.sig_run_done.emit()

    def start(self, comparisons: Sequence[Comparison], items: Sequence[PromptItem]) -> None:
        self.comparisons, self.items = list(comparisons), list(items)
        columns = self.comparisons[0].plan.columns
        samples = self.comparisons[0].plan.samples
        self.summary = SetSummary(columns)
        self._stop.clear()
        self._active = True
        window = self._show_window()
        window.begin(len(self.comparisons), [c.label for c in columns], samples)
        window.show_summary(self.summary)
        self._runs_done = sum(  # a resumed set: what is stored already counts
            1 for c in self.comparisons for r in c.results.values() if r.completed
        )
        window.show_runs_done(self._runs_done)
        self._thread = threading.Thread(target=self._work, name="prompt-set", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        try:
            for index, comparison in enumerate(self.comparisons):
                self._current = comparison
                if self._stop.is_set():
                    return
                self._bridge.sig_prompt_started.emit(index)
                comparison.run()
                if self._stop.is_set():  # stopped half-way: kept, resumable, not summed
                    return
                self._bridge.sig_prompt_done.emit(index, figures(comparison))
        except Exception as exc:
            self._bridge.sig_failed.emit(str(exc))
        finally:
            self._current = None
            self._bridge.sig_finished.emit()

    def stop(self) -> None:
        """Stop the prompt running and start no more; every finished run is kept."""
        self._stop.set()
        current = self._current
        if current is not None:
            current.cancel()

    def shutdown(self, seconds: float = 10) -> None:
        """The window is closing: stop, wait until what arrived is stored, show nothing more."""
        self._closing = True
        self.stop()
        self.wait(seconds)

    def wait(self, seconds: float = 30) -> bool:
        """Block until the set's thread ends (quitting, tests)."""
        if self._thread is not None:
            self._thread.join(seconds)
        return self._thread is None or not self._thread.is_alive()

    # -- on the GUI thread -------------------------------------------------------------------

    def _show_window(self) -> PromptSetWindow:
        if self.view_window is None:
            self.view_window = PromptSetWindow(self._parent)
            self.view_window.sig_stop.connect(self.stop)
        if self.view_window.isVisible():
            self.view_window.raise_()
        else:
            self.view_window.show()
        return self.view_window

    def _on_prompt_started(self, index: int) -> None:
        if self.view_window is not None:
            prompt = self.comparisons[index].plan.prompt
            self.view_window.show_prompt(index, len(self.comparisons), prompt)

    def _on_run_done(self) -> None:
        self._runs_done += 1
        if self.view_window is not None:
            self.view_window.show_runs_done(self._runs_done)

    def _on_prompt_done(self, index: int, fig: ComparisonFigures) -> None:
        if self.summary is None or self.view_window is None:
            return
        item = self.items[index]
        self.summary.add(fig, item.prompt, item.expected)
        self.view_window.show_summary(self.summary)

    def _on_finished(self) -> None:
        self._active = False
        if self._closing:
            return
        window, summary = self.view_window, self.summary
        if window is not None and summary is not None:
            window.set_running(False)
            total = len(self.comparisons)
            done = summary.prompts
            if self._stop.is_set() and done < total:
                window.progress_label.setText(
                    f"Stopped after {done} of {total} prompts: the summary covers the {done} "
                    "that finished. Every finished run is kept; run the same set again to "
                    "resume it."
                )
            elif done == total:
                window.progress_label.setText(
                    f"All {total} prompts done · {fmt.money(summary.cost)} in all."
                )
        if self._after_run is not None:
            self._after_run(None)
        self.sig_finished.emit()

    def _on_failed(self, message: str) -> None:
        if self.view_window is not None:
            self.view_window.progress_label.setText(f"The prompt set could not run: {message}")
