"""Audit summaries: recorded when a turn finishes, backfilled for older turns, and used by
search's "has audit findings" filter (store, session and `thinkpane search --has-findings`)."""

from __future__ import annotations

import json
import sqlite3

from client.audit import AUDITOR_VERSION
from client.audit_index import backfill_audits
from client.cli import main
from client.core.conversation import Turn, new_id
from client.core.events import TurnStatus
from client.session import TurnController
from client.store.store import Store
from tests.support.chat import simple_stream
from tests.support.replay import Reply, sse

PATH = "/v1/chat/completions"


def _ask(store: Store, replay, reasoning: str, answer: str) -> Turn:
    replay.add(PATH, Reply(chunks=sse(*simple_stream(reasoning, answer), done=True)))
    controller = TurnController(store)
    prepared = controller.prepare(
        provider="openai-compatible",
        model="qwen3",
        prompt="zebra sums",
        base_url=replay.url + "/v1",
    )
    return controller.run(prepared)


def test_a_finished_turn_records_its_audit_and_search_filters_on_it(replay):
    with Store.open() as store:
        wrong = _ask(store, replay, "zebra count: 17 × 3 = 41.", "41")
        right = _ask(store, replay, "zebra count: 17 × 3 = 51.", "51")
        summary = store.audit_summary(wrong.id)
        assert summary is not None and summary.errors == 1 and summary.first_error_step == 0
        assert summary.version == AUDITOR_VERSION
        assert store.audit_summary(right.id).errors == 0
        assert [r["turn_id"] for r in store.search("zebra", has_findings=True)] == [wrong.id]
        assert [r["turn_id"] for r in store.search("zebra", has_findings=False)] == [right.id]
        assert {r["turn_id"] for r in store.search("zebra")} == {wrong.id, right.id}


def test_older_turns_are_backfilled_once(thinkpane_home):
    with Store.open() as store:
        conversation = store.create_conversation("old")
        turn = Turn(
            id=new_id("t"),
            conversation_id=conversation.id,
            prompt="p",
            provider="ollama",
            model="m",
            status=TurnStatus.COMPLETE,
        )
        turn.reasoning.text = "quokka total: 2 + 2 = 5."
        store.insert_turn(turn)
        store.finalise_turn(turn)
        assert store.audit_summary(turn.id) is None
        assert backfill_audits(store) == 1
        assert backfill_audits(store) == 0
        assert store.audit_summary(turn.id).errors == 1


def test_search_has_findings_on_the_command_line(replay, capsys):
    with Store.open() as store:
        wrong = _ask(store, replay, "zebra count: 17 × 3 = 41.", "41")
        _ask(store, replay, "zebra count: 17 × 3 = 51.", "51")
        # Forget the summaries, as for turns stored before the auditor recorded them.
        sqlite3.connect(store.path).execute("DELETE FROM turn_audits").connection.commit()
    assert main(["search", "zebra", "--has-findings", "--json"]) == 0
    results = json.loads(capsys.readouterr().out)["results"]
    assert [r["turn_id"] for r in results] == [wrong.id]
