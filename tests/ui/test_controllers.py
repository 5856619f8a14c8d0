"""Every controller is built from what it works with (store, jobs, runner, composer, view,
inspector, the actions it answers), never from the window: here each is built on its own, with
a bare QMainWindow only to hold the menu bar, and does its job."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMainWindow, QStatusBar, QWidget

from client.core.conversation import Turn
from client.core.events import TurnStatus
from client.core.request import SendRequest
from client.ui.actions import WindowActions, build_actions
from client.ui.audit.controller import AuditController
from client.ui.compare.controller import CompareController
from client.ui.compare.set_controller import PromptSetController
from client.ui.composer.banner import Banner
from client.ui.composer.composer import Composer
from client.ui.composer.models import ModelsController
from client.ui.conversation.view import ConversationView
from client.ui.focus import ConversationFocus
from client.ui.history.controller import HistoryController
from client.ui.history.conversations import ConversationsController
from client.ui.history.export_actions import ExportActions
from client.ui.history.search_results import SearchResults
from client.ui.inspector.reasoning_pane import ReasoningInspector
from client.ui.jobs import BackgroundJobs
from client.ui.ledger.controller import LedgerController
from client.ui.settings import SettingsController
from client.ui.turns.runner import TurnRunner
from client.ui.turns.sending import SendController


@dataclass
class Parts:
    """The collaborators a window would hand its controllers, made without one."""

    store: object
    host: QMainWindow
    jobs: BackgroundJobs
    runner: TurnRunner
    view: ConversationView
    inspector: ReasoningInspector
    composer: Composer
    banner: Banner
    status: QStatusBar
    focus: ConversationFocus
    actions: WindowActions


@pytest.fixture
def parts(qtbot, store) -> Iterator[Parts]:
    host = QMainWindow()  # a menu bar for the actions; not our MainWindow
    qtbot.addWidget(host)
    made = Parts(
        store,
        host,
        BackgroundJobs(1, host),
        TurnRunner(store, host),
        ConversationView("light", host),
        ReasoningInspector(host),
        Composer(host),
        Banner(host),
        host.statusBar(),
        ConversationFocus(host),
        build_actions(host),
    )
    yield made
    made.runner.shutdown()
    made.jobs.wait()


def ledger_of(p: Parts) -> LedgerController:
    return LedgerController(
        p.store,
        p.jobs,
        p.jobs,
        p.runner,
        p.composer,
        p.view,
        p.banner,
        p.status,
        p.focus,
        p.actions.spend,
        p.actions.prices,
        lambda prompt: SendRequest("ollama", "qwen3", prompt, conversation_id=p.focus.current_id),
        p.host,
    )


def conversations_of(p: Parts, ledger: LedgerController):
    """The Send controller and the conversations controller, built without a window."""
    from client.ui.history.sidebar import ConversationList
    from client.ui.prefs import Preferences

    sidebar = ConversationList(p.host)
    prefs = Preferences(p.store, p.jobs)
    sending = SendController(
        p.store, p.jobs, p.runner, p.composer, p.view, p.inspector, sidebar, p.banner, p.status,
        p.focus, prefs, ledger, p.actions.stop, p.host,
    )  # fmt: skip
    conversations = ConversationsController(
        p.store, p.jobs, p.runner, prefs, sidebar, p.view, p.composer, p.banner, p.focus,
        sending, p.actions, p.host,
    )  # fmt: skip
    return sending, conversations


def stored_conversation(store, title: str = "Notebooks") -> str:
    conversation = store.create_conversation(title)
    store.insert_turn(
        Turn(
            id="t_one",
            conversation_id=conversation.id,
            prompt="What is 2+2?",
            provider="ollama",
            model="qwen3",
            answer="4",
            status=TurnStatus.COMPLETE,
        )
    )
    return conversation.id


def test_no_controller_takes_the_window():
    import inspect

    for controller in (
        AuditController,
        LedgerController,
        HistoryController,
        ExportActions,
        SearchResults,
        SendController,
        ConversationsController,
        ModelsController,
        SettingsController,
        CompareController,
        PromptSetController,
    ):
        for name, parameter in inspect.signature(controller).parameters.items():
            assert name != "window", f"{controller.__name__} takes the window"
            assert "MainWindow" not in str(parameter.annotation), controller.__name__
            assert str(parameter.annotation) != "Any", f"{controller.__name__}.{name} is Any"


def test_the_ledger_alone_says_what_the_conversation_cost_and_estimates_the_next_turn(qtbot, parts):
    ledger = ledger_of(parts)
    parts.focus.current_id = stored_conversation(parts.store)
    parts.focus.sig_conversation_shown.emit(parts.focus.current_id)
    qtbot.waitUntil(lambda: ledger.summary != "", timeout=10_000)
    assert ledger.summary_label.text().startswith("This conversation: ")
    parts.composer.edit.setPlainText("And 3+3?")
    ledger.update_estimate()
    qtbot.waitUntil(lambda: ledger.figures is not None, timeout=10_000)
    assert parts.composer.estimate_label.text().startswith("Next turn: ≈")
    ledger.shutdown()


def test_the_audit_controller_alone_follows_the_selected_turn(qtbot, parts):
    audit = AuditController(
        parts.store,
        parts.jobs,
        parts.jobs,
        parts.runner,
        parts.view,
        parts.inspector,
        parts.composer,
        parts.focus,
        parts.status,
        parts.actions.export_audit,
        parts.host,
    )
    assert parts.inspector.tabs.indexOf(audit.page) >= 0  # the Steps tab is in the inspector
    audit.show_state(None)
    assert not parts.actions.export_audit.isEnabled()
    audit.shutdown()


def test_the_history_controller_alone_stores_the_reasoning_setting(qtbot, parts, tmp_path: Path):
    ledger = ledger_of(parts)
    exports = ExportActions(
        parts.store,
        parts.jobs,
        parts.view,
        parts.focus,
        parts.status,
        parts.actions.export_conversation,
        parts.actions.import_conversation,
        parts.actions.import_conversation_copy,
        parts.host,
    )
    search = SearchResults(
        parts.store,
        parts.jobs,
        parts.view,
        parts.inspector,
        parts.actions.show_inspector,
        parts.focus,
        parts.status,
        parts.host,
    )
    history = HistoryController(
        parts.store,
        parts.jobs,
        parts.runner,
        parts.view,
        parts.composer,
        parts.banner,
        parts.status,
        parts.focus,
        ledger,
        exports,
        search,
        parts.actions,
        parts.host,
    )
    conversation_id = stored_conversation(parts.store)
    parts.focus.current_id = conversation_id
    parts.focus.sig_conversation_shown.emit(conversation_id)
    qtbot.waitUntil(lambda: parts.actions.send_reasoning.isEnabled(), timeout=10_000)
    parts.actions.send_reasoning.trigger()
    parts.jobs.wait()
    stored = parts.store.get_conversation(conversation_id)
    assert stored is not None and stored.settings.get("send_reasoning") is True
    assert history.send_reasoning_action is parts.actions.send_reasoning
    # The export commands the history enabled write the conversation without a window.
    assert parts.actions.export_conversation["json"].isEnabled()
    target = tmp_path / "notebooks.json"
    with qtbot.waitSignal(exports.sig_conversation_exported, timeout=10_000):
        exports.export_to(target, "json")
    assert "What is 2+2?" in target.read_text(encoding="utf-8")
    assert isinstance(search.parent(), QWidget)
    ledger.shutdown()


def test_sending_and_the_conversations_alone_build_the_request_and_open_a_conversation(
    qtbot, parts
):
    from client.ui.composer.model_picker import ModelChoice

    ledger = ledger_of(parts)
    sending, conversations = conversations_of(parts, ledger)
    assert sending.request_for("Hello?") is None  # no model chosen yet
    parts.composer.set_choice(ModelChoice("ollama", "qwen3"))
    conversations.set_system_prompt("Answer briefly.")  # a new conversation: kept as a draft
    request = sending.request_for("Hello?")
    assert request is not None and request.conversation_id is None
    assert (request.model, request.settings.system) == ("qwen3", "Answer briefly.")

    conversation_id = stored_conversation(parts.store)
    with qtbot.waitSignal(parts.focus.sig_conversation_shown, timeout=10_000) as shown:
        conversations.open_conversation(conversation_id)
    assert shown.args == [conversation_id]
    assert [s.id for s in parts.view.states()] == ["t_one"]
    request = sending.request_for("And 3+3?")
    assert request is not None
    assert (request.conversation_id, request.parent_id) == (conversation_id, "t_one")
    ledger.shutdown()


def test_the_models_controller_alone_welcomes_until_a_model_is_chosen(qtbot, parts):
    from PySide6.QtWidgets import QStackedWidget

    from client.ui.composer.catalog import ModelCatalog
    from client.ui.composer.model_picker import ModelChoice
    from client.ui.conversation.welcome import WelcomePage
    from client.ui.prefs import Preferences

    ledger = ledger_of(parts)
    _sending, conversations = conversations_of(parts, ledger)
    welcome, pages = WelcomePage(parts.host), QStackedWidget(parts.host)
    pages.addWidget(parts.view)
    pages.addWidget(welcome)
    catalog = ModelCatalog(Preferences(parts.store, parts.jobs), parts.jobs, list, dict, parts.host)
    models = ModelsController(
        parts.composer, catalog, welcome, pages, parts.view, conversations, parts.host
    )
    models.update_welcome()
    assert pages.currentWidget() is welcome  # no conversation, no key, no model
    with qtbot.waitSignal(models.sig_servers_found) as found:
        catalog.sig_servers_found.emit([])
    assert found.args == [[]]
    assert "No local model server answered" in welcome.servers_label.text()
    welcome.sig_model_chosen.emit(ModelChoice("ollama", "qwen3"))
    assert parts.composer.choice == ModelChoice("ollama", "qwen3")
    assert pages.currentWidget() is parts.view  # a new conversation, in the column
    ledger.shutdown()
