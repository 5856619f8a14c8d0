"""The reasoning audit in the real window: a turn streamed from the replay server is audited when
its reasoning is complete, the strip under the inspector's header says what was found, a critic
runs against the same server as a turn of its own (counted in the ledger, never shown as a chat
turn), verdicts are stored, and the report is exported from the Turn menu."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from client.core.conversation import ReasoningTrace, Turn
from client.core.errors import ErrorKind
from client.core.events import TurnStatus, Visibility
from client.core.prices import PriceOverride
from client.ui.audit.view import STREAMING
from client.ui.composer.model_picker import ModelChoice
from tests.support.chat import chunk, simple_stream, usage_chunk
from tests.support.replay import Reply, sse
from tests.ui.conftest import CHAT_PATH, send, stream_reply, use_replay

REASONING = (
    "First, find 17 times 3 and add 4.\n\n"
    "17 × 3 = 41, so the notebooks cost 41.\n\n"
    "So 41 + 4 = 45. The answer is 45."
)
ANSWER = "The answer is 45."
PROMPT = "What do 17 notebooks at 3 and a pen at 4 cost?"
MESSAGE = "17 × 3 is 51, not 41."
CRITIC_REPLY = json.dumps(
    {
        "first_error_step": 1,
        "verdicts": [
            {
                "step": 1,
                "verdict": "error",
                "type": "arithmetic",
                "quote": "17 × 3 = 41",
                "why": "17 × 3 is 51.",
            }
        ],
    }
)


def stream_false_equation(qtbot, window, replay, **reply_options):
    replay.add(CHAT_PATH, stream_reply(simple_stream(REASONING, ANSWER), **reply_options))
    use_replay(window, replay)
    send(qtbot, window, PROMPT)
    qtbot.waitUntil(
        lambda: bool(window.conversation.states()) and not window.runner.busy, timeout=10_000
    )
    state = window.conversation.states()[-1]
    qtbot.waitUntil(lambda: window.audit.view.loaded is not None, timeout=10_000)
    return state


def test_a_streamed_false_equation_is_found_at_its_step_and_the_strip_says_so(
    qtbot, window, replay
):
    audit, inspector = window.audit, window.inspector
    replay.add(CHAT_PATH, stream_reply(simple_stream(REASONING, ANSWER)))
    use_replay(window, replay)
    with qtbot.waitSignal(window.runner.sig_turn_started, timeout=10_000):
        send(qtbot, window, PROMPT)
    # Just started: the turn is selected and still streaming.
    assert audit.view.strip_label.text() == STREAMING
    assert inspector.strip_text() == STREAMING
    assert not audit.view.caveat_label.isVisibleTo(audit.view)

    qtbot.waitUntil(lambda: audit.view.loaded is not None, timeout=10_000)
    state = window.conversation.states()[-1]
    assert state.turn.status is TurnStatus.COMPLETE
    result = audit.view.loaded.audit
    assert result.first_error_step == 1
    assert [f.message for f in result.findings if f.step == 1] == [MESSAGE]
    assert inspector.strip_text() == audit.view.strip_label.text()
    assert inspector.strip_text().startswith("1 arithmetic error (step 2)")
    assert inspector.strip_text().endswith("raw trace")
    # The strip is in sight while the reasoning is read, and leads to the step.
    assert inspector.tabs.currentIndex() == 0
    assert inspector.strip_label.isVisibleTo(inspector)
    audit.view.select_step(0)
    inspector.strip_label.linkActivated.emit("steps")
    assert inspector.tabs.currentWidget() is audit.page
    assert audit.view.step_list.currentIndex().row() == audit.view.model.row_of(1)
    assert not inspector.strip_label.isVisibleTo(inspector)  # the steps say it themselves


def test_while_a_turn_streams_the_strip_says_the_audit_waits(qtbot, window, replay):
    replay.add(CHAT_PATH, stream_reply(simple_stream(REASONING, ANSWER), delay_s=0.05))
    use_replay(window, replay)
    with qtbot.waitSignal(window.runner.sig_turn_started, timeout=10_000):
        send(qtbot, window, PROMPT)
    # The steps tab was never opened: the inspector still says what the audit waits for.
    assert window.inspector.strip_text() == STREAMING
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=10_000)
    qtbot.waitUntil(lambda: window.audit.view.loaded is not None, timeout=10_000)
    assert window.inspector.strip_text().startswith("1 arithmetic error (step 2)")


def test_hidden_reasoning_has_nothing_to_audit_and_the_steps_say_why(qtbot, window, replay):
    events = [chunk(content="Paris."), chunk(finish="stop"), usage_chunk(20, 300, reasoning=256)]
    replay.add(CHAT_PATH, stream_reply(events))
    use_replay(window, replay)
    send(qtbot, window, "Capital of France?")
    qtbot.waitUntil(lambda: window.audit.view.loaded is not None, timeout=10_000)
    view = window.audit.view
    assert view.caveat_label.text() == (
        "Nothing to audit: the provider billed 256 reasoning tokens but did not show them."
    )
    assert view.caveat_label.isVisibleTo(view)
    assert not view.step_list.isVisibleTo(view)
    assert not view.critic_button.isEnabled()
    assert window.inspector.strip_text() == "hidden reasoning: nothing to audit"


def test_a_stored_turn_is_audited_when_its_conversation_opens(qtbot, make_window, store):
    conversation = store.create_conversation("Notebooks")
    store.insert_turn(
        Turn(
            id="t_stored",
            conversation_id=conversation.id,
            prompt=PROMPT,
            provider="openai-compatible",
            model="qwen3",
            status=TurnStatus.COMPLETE,
            answer=ANSWER,
            reasoning=ReasoningTrace(Visibility.RAW, REASONING, tokens=90),
        )
    )
    window = make_window()
    qtbot.waitUntil(lambda: window.audit.view.loaded is not None, timeout=10_000)
    assert window.audit.view.loaded.turn_id == "t_stored"
    assert window.inspector.strip_text().startswith("1 arithmetic error (step 2)")


def test_a_100k_trace_is_audited_without_blocking_the_window(qtbot, make_window, store):
    step = "Let me add the next pair: {a} + {b} = {c}, and keep going with the running total."
    parts = [step.format(a=i, b=i + 1, c=2 * i + 1) for i in range(1200)]
    parts[600] = "Then 600 + 601 = 1300, carried forward."
    text = "\n\n".join(parts)
    assert len(text) >= 100_000
    conversation = store.create_conversation("Long sums")
    store.insert_turn(
        Turn(
            id="t_big",
            conversation_id=conversation.id,
            prompt="Add them all",
            provider="openai-compatible",
            model="qwen3",
            status=TurnStatus.COMPLETE,
            answer="Done.",
            reasoning=ReasoningTrace(Visibility.RAW, text),
        )
    )
    window = make_window()
    seen = []
    window.audit.view.sig_strip_changed.connect(seen.append)
    qtbot.waitUntil(lambda: window.audit.view.loaded is not None, timeout=30_000)
    assert any(s.startswith("Auditing 1") for s in seen)  # it said so while on the pool
    assert window.audit.view.loaded.audit.first_error_step == 600
    assert "(step 601)" in window.inspector.strip_text()


def test_a_critic_runs_apart_agrees_and_its_cost_lands_in_the_ledger(qtbot, window, replay, store):
    store.set_price_override(
        "openai-compatible", "critic-model", PriceOverride(Decimal("1"), Decimal("2"))
    )
    state = stream_false_equation(qtbot, window, replay)
    conversation_id = state.turn.conversation_id
    qtbot.waitUntil(lambda: window.ledger.summary.endswith("over 1 query"), timeout=10_000)
    model = "critic-model"
    critic_events = [
        chunk(content=CRITIC_REPLY, model=model),
        chunk(finish="stop", model=model),
        usage_chunk(200, 60, model=model),
    ]
    replay.add(CHAT_PATH, stream_reply(critic_events))
    asked = []

    def ask(store_, parent):
        asked.append(parent)
        return ModelChoice("openai-compatible", "critic-model", replay.url + "/v1")

    window.audit.ask_critic = ask
    view = window.audit.view
    with qtbot.waitSignal(window.audit.sig_critic_finished, timeout=10_000) as finished:
        view.critic_button.click()
        assert window.audit.critic_status.isVisibleTo(window)  # a status line while it runs
        assert "critic-model" in window.audit.critic_status.label.text()
    assert asked == [window]
    assert not window.audit.critic_status.isVisibleTo(window)
    review = finished.args[0]
    assert review.turn.purpose == "critic" and review.turn.parent_id == state.id
    assert view.critic_frame.isVisibleTo(view)
    assert "critic-model" in view.critic_label.text()
    assert "Agrees with the checks on step 2." in view.critic_label.text()
    assert "critic-model" not in view.strip_label.text() + view.whole_label.text()
    # Blind: the critic saw the numbered steps, not the conversation or the checks' findings.
    sent = replay.requests_to(CHAT_PATH)[1].json["messages"]
    assert len(sent) == 1 and MESSAGE not in sent[0]["content"]

    # 200 input tokens at $1/Mtok and 60 output at $2/Mtok; the chat turn was local ($0).
    qtbot.waitUntil(lambda: window.ledger.summary == "$0.00032 over 2 queries", timeout=10_000)
    assert "$0.00032 over 2 queries" in window.ledger.summary_label.text()

    # The critic is a stored query, but never a chat turn in the column, even after reopening.
    assert [t.purpose for t in store.turns(conversation_id)] == ["chat", "critic"]
    window.conversations.new_conversation()
    window.conversations.open_conversation(conversation_id)
    qtbot.waitUntil(lambda: len(window.conversation.states()) == 1, timeout=10_000)
    qtbot.waitUntil(lambda: window.audit.view.loaded is not None, timeout=10_000)
    assert [s.id for s in window.conversation.states()] == [state.id]
    assert view.critic is not None and view.critic_frame.isVisibleTo(view)  # read back


def test_a_running_critic_can_be_stopped(qtbot, window, replay, store):
    state = stream_false_equation(qtbot, window, replay)
    replay.add(CHAT_PATH, Reply(chunks=sse(chunk(content="{")), hang_s=30))  # never ends
    window.audit.ask_critic = lambda _s, _p: ModelChoice(
        "openai-compatible", "slow-critic", replay.url + "/v1"
    )
    view = window.audit.view
    view.critic_button.click()
    qtbot.waitUntil(lambda: len(replay.requests_to(CHAT_PATH)) == 2, timeout=10_000)
    with qtbot.waitSignal(window.audit.sig_critic_finished, timeout=10_000) as finished:
        window.audit.critic_status.stop_button.click()
        assert not window.audit.critic_status.isVisibleTo(window)
    stopped = finished.args[0].turn
    assert stopped.status is not TurnStatus.COMPLETE and stopped.error.kind is ErrorKind.CANCELLED
    assert [t.purpose for t in store.children(state.id)] == ["critic"]  # a query, counted
    assert "Stopped the critic" in view.status_label.text()
    assert not view.critic_frame.isVisibleTo(view)


def test_a_critic_that_cannot_start_says_why(qtbot, window, replay, store):
    state = stream_false_equation(qtbot, window, replay)
    window.audit.ask_critic = lambda _s, _p: ModelChoice("anthropic", "claude-sonnet-4-5")
    view = window.audit.view
    with qtbot.waitSignal(window.audit.sig_critic_finished, timeout=10_000) as finished:
        view.critic_button.click()
    assert finished.args == [None]
    assert view.status_label.text().startswith("The critic could not be asked: No API key for")
    assert not window.audit.critic_status.isVisibleTo(window)
    assert store.children(state.id) == []  # nothing was sent, nothing stored


def test_verdicts_in_the_window_are_stored(qtbot, window, replay, store):
    state = stream_false_equation(qtbot, window, replay)
    view = window.audit.view
    view.select_step(1)
    with qtbot.waitSignal(view.sig_verdict_changed):
        view.verdict_panel.choose("spurious", "off by ten")
    assert store.verdicts(state.id) == {1: ("spurious", "off by ten")}


def test_the_turn_menu_exports_the_audit_report(qtbot, window, replay, tmp_path):
    state = stream_false_equation(qtbot, window, replay)
    action = window.audit.export_action
    turn_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Turn")
    assert action in turn_menu.actions() and action.isEnabled()
    target = tmp_path / "report.html"
    suggested = []

    def choose(_parent, name):
        suggested.append(name)
        return target, "html"

    window.audit.view.choose_path = choose
    action.trigger()
    assert suggested == [f"audit-{state.id}.md"]
    page = target.read_text(encoding="utf-8")
    assert '<mark class="error"' in page and "17 × 3 = 41" in page and "<script" not in page
    assert f"Report saved to {target}." == window.audit.view.status_label.text()


@pytest.fixture
def audited_here(monkeypatch) -> list[str]:
    """The traces audited in this process (the window's), in order."""
    import client.audit.service as service

    audited: list[str] = []
    real_audit = service.audit_trace

    def counting(reasoning, **options):
        audited.append(reasoning)
        return real_audit(reasoning, **options)

    monkeypatch.setattr(service, "audit_trace", counting)
    return audited


def test_a_finished_turn_is_audited_once_by_the_worker_the_window_and_the_critic(
    qtbot, window, replay, store, audited_here
):
    state = stream_false_equation(qtbot, window, replay)
    # The worker stored the summary search filters on; the window shows the same audit.
    assert store.audit_summary(state.id).errors == 1
    assert window.audit.view.loaded.audit.first_error_step == 1
    replay.add(CHAT_PATH, stream_reply([chunk(content=CRITIC_REPLY), chunk(finish="stop")]))
    window.audit.ask_critic = lambda _s, _p: ModelChoice(
        "openai-compatible", "critic-model", replay.url + "/v1"
    )
    with qtbot.waitSignal(window.audit.sig_critic_finished, timeout=10_000) as finished:
        window.audit.view.critic_button.click()
    assert finished.args[0].agreement == (1,)
    # Opened again: the stored turn, its critic and the strip, still from the one audit.
    conversation_id = state.turn.conversation_id
    window.conversations.new_conversation()
    window.conversations.open_conversation(conversation_id)
    qtbot.waitUntil(lambda: window.audit.view.loaded is not None, timeout=10_000)
    assert window.audit.view.critic is not None
    assert audited_here == [REASONING]


def test_a_long_streamed_trace_is_audited_once_and_in_the_auditors_process(
    qtbot, window, replay, store, audited_here
):
    """The worker's summary and the window's steps come from one audit made in the auditor's own
    process: the window's interpreter never runs the checks of a long trace."""
    from client.audit.process import PROCESS_CHARS, AuditProcess

    parts = [f"Adding the pair: {i} + {i + 1} = {2 * i + 1}." for i in range(700)]
    parts[500] = "Then 500 + 501 = 1011, carried forward."
    reasoning = "\n\n".join(parts)
    assert len(reasoning) > PROCESS_CHARS
    replay.add(CHAT_PATH, stream_reply(simple_stream(reasoning, "The total is 1011.")))
    use_replay(window, replay)
    send(qtbot, window, "Add the pairs")
    qtbot.waitUntil(lambda: window.audit.view.loaded is not None, timeout=30_000)
    state = window.conversation.states()[-1]
    assert window.audit.view.loaded.audit.first_error_step == 500
    assert store.audit_summary(state.id).errors >= 1
    assert store.audit_summary(state.id).first_error_step == 500
    assert "(step 501)" in window.inspector.strip_text()
    assert audited_here == []
    assert AuditProcess.shared().pid is not None


def test_an_answer_whose_reasoning_has_an_error_is_marked_and_the_mark_opens_the_steps(
    qtbot, window, replay
):
    from tests.support.chat import simple_stream
    from tests.ui.conftest import CHAT_PATH, send, stream_reply, use_replay

    replay.add(
        CHAT_PATH,
        stream_reply(simple_stream("17 × 3 = 51.", "51")),
        stream_reply(simple_stream("First 12 × 12 = 144.\n\nThen 12 × 13 = 150.", "150")),
    )
    use_replay(window, replay)
    for prompt in ("17 × 3?", "12 × 13?"):
        before = len(window.conversation.states())
        send(qtbot, window, prompt)
        qtbot.waitUntil(
            lambda b=before: len(window.conversation.states()) == b + 1 and not window.runner.busy,
            timeout=10_000,
        )
    right, wrong = (window.conversation.widget_for(s.id) for s in window.conversation.states())
    qtbot.waitUntil(lambda: wrong.audit_label.isVisibleTo(window), timeout=10_000)
    assert "found an error in the reasoning (step 2)" in wrong.audit_label.text()
    assert not right.audit_label.isVisibleTo(window)
    window.conversation.select(right.state.id)
    wrong.audit_label.linkActivated.emit("steps")  # a click on "Show the steps"
    tabs = window.inspector.tabs
    assert tabs.tabText(tabs.currentIndex()) == "Steps"
    qtbot.waitUntil(lambda: window.audit.view.turn is not None)
    assert window.audit.view.turn.id == wrong.state.id
    window.conversations.open_conversation(
        window.current_id
    )  # a stored conversation: marked when shown
    qtbot.waitUntil(
        lambda: (
            (w := window.conversation.widget_for(wrong.state.id)) is not None
            and w.audit_label.isVisibleTo(window)
        ),
        timeout=10_000,
    )


def test_a_stored_turn_without_a_stored_audit_is_marked_once_its_audit_is_shown(
    qtbot, window, store
):
    # Imported, or stored before audits were: no summary in the store, an error in its reasoning.
    from client.core.conversation import ReasoningTrace, Turn, new_id
    from client.core.events import TurnStatus, Visibility

    conversation = store.create_conversation("Products")
    turn = Turn(
        id=new_id("t"), conversation_id=conversation.id, prompt="12 × 13?", answer="150",
        reasoning=ReasoningTrace(Visibility.RAW, "First 12 × 12 = 144.\n\nThen 12 × 13 = 150."),
        provider="ollama", model="qwen3", status=TurnStatus.COMPLETE,
    )  # fmt: skip
    store.insert_turn(turn)
    assert store.audit_summary(turn.id) is None
    window.conversations.refresh_conversations()
    window.conversations.open_conversation(conversation.id)
    qtbot.waitUntil(lambda: window.conversation.widget_for(turn.id) is not None, timeout=10_000)
    window.conversation.select(turn.id)
    shown = window.conversation.widget_for(turn.id)
    qtbot.waitUntil(lambda: shown.audit_label.isVisibleTo(window), timeout=10_000)
    assert "found an error in the reasoning (step 2)" in shown.audit_label.text()
