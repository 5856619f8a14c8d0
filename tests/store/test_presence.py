"""Crash recovery leaves a turn alone while another Thinkpane process has the database open."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from client.core.conversation import Turn, new_id
from client.store.store import Store

ROOT = Path(__file__).resolve().parents[2]


def _streaming_turn(store: Store) -> str:
    conversation = store.create_conversation("live")
    turn = Turn(
        id=new_id("t"), conversation_id=conversation.id, prompt="p", provider="ollama", model="m"
    )
    turn.answer = "so far"
    store.insert_turn(turn)
    return turn.id


def test_a_live_turn_in_another_process_is_not_marked_interrupted(thinkpane_home):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent("""
            import sys
            from client.store.store import Store
            store = Store.open()
            print("open", flush=True)
            sys.stdin.read()
            store.close()
        """),
        ],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        with Store.open() as store:
            turn_id = _streaming_turn(store)
        with Store.open() as store:  # the other process is still there: hands off
            assert store.get_turn(turn_id).status == "streaming"
    finally:
        holder.communicate("", timeout=20)
    with Store.open() as store:  # alone now: the turn was left by a crash
        turn = store.get_turn(turn_id)
        assert turn.status == "interrupted" and turn.answer == "so far"
