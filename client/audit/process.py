"""Long traces audited in a process of their own, so the window's interpreter never runs the auditor.

The auditor is pure Python: about 50 ms for a 100,000-character trace, more when SymPy's checks
have work. Run on a thread of the window's process (the turn's worker storing the audit summary
for search, the audit view's pool), it held the interpreter lock that the GUI thread needs each
time it returns into Python: with two conversations streaming, the other turn's audit at its end
made the shown answer's updates slower while it ran (bench/run.py stream, two_conversations).

`AuditProcess.audit()` takes `audit_trace`'s arguments and returns its `AuditResult`. One
long-lived worker process, started by the first audit asked of it (a fresh interpreter that
imports the auditor, about 0.1 s), audits one trace at a time over a pipe; the asking thread
waits on the pipe without holding the interpreter lock. Starting it, its restarts and its
deadline are `client.core.helper_process`'s, shared with the formula typesetter.

- Requests and replies are JSON: the window never unpickles what the worker wrote (the worker
  reads model output), and a reply not in the shape `serve` writes is refused.
- A check that raises comes back as `AuditFailed` naming the error, as it would have been raised
  in the caller's own thread. An audit running longer than `TIME_LIMIT_S` has its worker killed
  and fails with a sentence saying so; the next audit starts a fresh worker.
- A worker that died (killed from outside, out of memory) is replaced, and the audit it had is
  asked of the new one once. When no worker can be had (it would not start, or died twice),
  `AuditUnavailable` says so and the caller audits in its own thread: a slower window is better
  than no audit.
- The worker ends by itself when the pipe closes, so it never outlives the window; `shutdown()`
  (also registered with atexit) ends it at once.
"""

from __future__ import annotations

import json
import threading
from typing import TYPE_CHECKING, Any

from client.core.audit import AuditResult, Finding, Severity, Step, StepKind
from client.core.helper_process import READY, BadReply, HelperProcess, TimedOut, Unavailable

if TYPE_CHECKING:  # multiprocessing loads with the first audit, not at start-up
    from multiprocessing.connection import Connection

#: Traces shorter than this are audited where they are asked for: a pipe round trip and a
#: process's first start cost more than the audit itself.
PROCESS_CHARS = 20_000
#: An audit taking longer than this is stopped.
TIME_LIMIT_S = 120.0
#: How long a new worker may take to be ready (an interpreter and the auditor, on a busy machine).
START_LIMIT_S = 60.0


class AuditFailed(Exception):
    """The audit itself failed (a check raised, or it ran too long): the sentence says how."""


class AuditUnavailable(Exception):
    """No worker process could audit: audit in the caller's thread instead."""


class AuditProcess(HelperProcess):
    """Audits traces in a worker process; `audit()` may be called from any thread (it waits for
    the result), one audit at a time. `shutdown()` ends the worker for good: audits from then on
    stay in their callers' threads."""

    _shared: AuditProcess | None = None
    _shared_lock = threading.Lock()

    def __init__(
        self, time_limit_s: float = TIME_LIMIT_S, start_limit_s: float = START_LIMIT_S
    ) -> None:
        super().__init__(
            serve,
            "thinkpane-auditor",
            time_limit_s=time_limit_s,
            start_limit_s=start_limit_s,
            activity="auditing in a process",
            noun="the audit process",
        )

    @classmethod
    def shared(cls) -> AuditProcess:
        """The one the window's threads share (made on first use, ended at exit)."""
        with cls._shared_lock:
            if cls._shared is None:
                import atexit

                cls._shared = AuditProcess()
                atexit.register(cls._shared.shutdown)
            return cls._shared

    def audit(
        self,
        reasoning: str,
        *,
        problem: str | None = None,
        answer: str | None = None,
        truncated: bool = False,
    ) -> AuditResult:
        """`audit_trace(reasoning, problem=…, answer=…, truncated=…)`, computed by the worker."""
        request = json.dumps(
            {"reasoning": reasoning, "problem": problem, "answer": answer, "truncated": truncated},
            ensure_ascii=False,
        ).encode("utf-8")
        # Step texts come from the reasoning; findings and the path are short beside them.
        most = 8 * len(request) + (1 << 20)
        try:
            return self.ask(request, lambda connection: _result(connection.recv_bytes(most)))
        except BadReply:
            raise AuditUnavailable("the audit process gave an unreadable reply") from None
        except TimedOut:
            raise AuditFailed(f"the audit took longer than {self.time_limit_s:g} s") from None
        except Unavailable as error:
            raise AuditUnavailable(str(error)) from None


def _encode(result: AuditResult) -> dict[str, Any]:
    return {
        "steps": [[s.index, s.text, str(s.kind), s.start, s.end] for s in result.steps],
        "findings": [
            [f.check, str(f.severity), f.message, f.step, f.start, f.end] for f in result.findings
        ],
        "candidates": [[step, value] for step, value in result.candidates],
    }


def _result(reply: bytes) -> AuditResult:
    """The AuditResult a worker sent, AuditFailed with its reason, or BadReply."""
    try:
        data = json.loads(reply)
        if not isinstance(data, dict):
            raise BadReply
        if isinstance(data.get("error"), str):
            raise AuditFailed(data["error"])
        steps = [
            Step(_int(i), _str(text), StepKind(kind), _int(start), _int(end))
            for i, text, kind, start, end in data["steps"]
        ]
        findings = [
            Finding(
                _str(check),
                Severity(severity),
                _str(message),
                _maybe_int(step),
                _maybe_int(start),
                _maybe_int(end),
            )
            for check, severity, message, step, start, end in data["findings"]
        ]
        candidates = [(_int(step), _str(value)) for step, value in data["candidates"]]
    except (ValueError, TypeError, KeyError):  # not JSON, or not this shape
        raise BadReply from None
    return AuditResult(steps=steps, findings=findings, candidates=candidates)


def _int(value: object) -> int:
    if type(value) is not int:
        raise TypeError
    return value


def _maybe_int(value: object) -> int | None:
    return None if value is None else _int(value)


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError
    return value


def serve(connection: Connection) -> None:
    """The worker process: audit each trace asked for, until the pipe closes."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C in a terminal is for the window
    from client.audit import audit_trace

    audit_trace("Warm up: 2 + 2 = 4.")
    connection.send_bytes(READY)
    while True:
        try:
            request = json.loads(connection.recv_bytes())
            reasoning = _str(request["reasoning"])
            problem, answer = request["problem"], request["answer"]
            if not (problem is None or isinstance(problem, str)):
                raise TypeError
            if not (answer is None or isinstance(answer, str)):
                raise TypeError
            truncated = bool(request["truncated"])
        except (EOFError, OSError):  # the window is gone
            return
        except (ValueError, KeyError, TypeError):
            connection.send_bytes(b'{"error": "the audit request could not be read"}')
            continue
        try:
            result = audit_trace(reasoning, problem=problem, answer=answer, truncated=truncated)
            reply = _encode(result)
        except Exception as error:  # never let one trace take the worker down
            reply = {"error": f"{type(error).__name__}: {error}"}
        connection.send_bytes(json.dumps(reply, ensure_ascii=False).encode("utf-8"))
