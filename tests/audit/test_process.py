"""The auditor's own process (client.audit.process): the same audit as in the caller's thread,
a worker that dies replaced, a runaway audit stopped, a refused reply never trusted, and the
window's turns audited there instead of on their worker thread."""

from __future__ import annotations

import json
import os
import signal
import threading

import pytest

from client.audit import audit_trace
from client.audit.process import (
    PROCESS_CHARS,
    AuditFailed,
    AuditProcess,
    AuditUnavailable,
    _encode,
    _result,
)
from client.core.helper_process import BadReply


def long_trace() -> str:
    """Above PROCESS_CHARS, with one false sum (step 300), a retraction and a final answer."""
    parts = [
        f"Adding the pair: {i} + {i + 1} = {2 * i + 1}, so the total grows." for i in range(400)
    ]
    parts[300] = "Then 300 + 301 = 611, carried forward."
    parts[310] = "So x = 12. Wait, that is wrong: x = 13 instead."
    parts.append("Therefore the answer is 13.")
    text = "\n\n".join(parts)
    assert len(text) > PROCESS_CHARS
    return text


@pytest.fixture
def auditor():
    process = AuditProcess()
    yield process
    process.shutdown()


def test_the_process_gives_the_audit_the_caller_would_have_made(auditor):
    text = long_trace()
    options = {"problem": "What is x? Answer: 13", "answer": "x is **13**", "truncated": False}
    here = audit_trace(text, **options)
    there = auditor.audit(text, **options)
    assert there == here  # steps, findings with their offsets, and the path of candidates
    assert there.first_error_step == 300
    assert auditor.pid not in (None, os.getpid())


def test_text_in_any_script_comes_back_exactly(auditor):
    text = long_trace() + "\n\nΣ über 𝔽₂: 2 + 2 = 5 — 答案是 4。\u0000 end"
    assert auditor.audit(text) == audit_trace(text)


def test_a_worker_that_died_is_replaced_and_the_audit_still_made(auditor):
    text = long_trace()
    auditor.audit(text)
    first = auditor.pid
    assert first is not None
    os.kill(first, signal.SIGKILL)
    assert auditor.audit(text).first_error_step == 300
    assert auditor.starts == 2 and auditor.pid not in (None, first)


def test_an_audit_over_its_time_is_stopped_and_the_next_one_starts_afresh(auditor):
    text = long_trace()
    auditor.audit(text)  # started and warm
    auditor.time_limit_s = 0.0
    with pytest.raises(AuditFailed, match="took longer than 0 s"):
        auditor.audit(text * 20)
    assert auditor.pid is None  # the runaway worker was killed
    auditor.time_limit_s = 60.0
    assert auditor.audit(text).first_error_step == 300
    assert auditor.starts == 2


def test_after_shutdown_nothing_is_audited_there(auditor):
    auditor.audit(long_trace())
    pid = auditor.pid
    auditor.shutdown()
    assert auditor.pid is None
    with pytest.raises(AuditUnavailable):
        auditor.audit(long_trace())
    with pytest.raises(ProcessLookupError):  # reaped, not left running
        os.kill(pid, 0)


def test_threads_asking_at_once_each_get_their_own_audit(auditor):
    texts = [long_trace(), long_trace().replace("611", "601"), long_trace() + "\n\n1 + 1 = 3."]
    results: dict[int, object] = {}

    def ask(i: int) -> None:
        results[i] = auditor.audit(texts[i])

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert [results[i] for i in range(3)] == [audit_trace(t) for t in texts]
    assert auditor.starts == 1


def test_replies_not_in_the_workers_shape_are_refused():
    good = _encode(audit_trace("So 2 + 2 = 5.\n\nThe answer is 5."))
    assert _result(json.dumps(good).encode()) == audit_trace("So 2 + 2 = 5.\n\nThe answer is 5.")
    for bad in (
        b"not json",
        b"[1, 2]",
        json.dumps({**good, "steps": [[0, "text", "daydream", 0, 4]]}).encode(),  # unknown kind
        json.dumps({**good, "steps": [[0, 5, "plan", 0, 4]]}).encode(),  # text not a string
        json.dumps({**good, "findings": [["arithmetic", "fatal", "m", 0, 0, 1]]}).encode(),
        json.dumps({**good, "candidates": [[0]]}).encode(),
        json.dumps({"steps": []}).encode(),  # parts missing
    ):
        with pytest.raises(BadReply):
            _result(bad)
    with pytest.raises(AuditFailed, match="ZeroDivisionError: a check divided by zero"):
        _result(b'{"error": "ZeroDivisionError: a check divided by zero"}')


def test_audit_apart_audits_in_this_thread_when_no_process_can(monkeypatch):
    from client.audit import service

    closed = AuditProcess()
    closed.shutdown()
    monkeypatch.setattr(AuditProcess, "_shared", closed)
    text = long_trace()
    assert service.audit_apart(text) == audit_trace(text)
    assert closed.starts == 0
