"""One shared HTTP layer for every adapter: explicit timeouts, retries before the first byte, and
wire errors mapped onto the contract's error kinds with a sentence that says what to do next.

Retries: connection errors and 408/409/429/5xx/529 are retried with
exponential backoff and jitter, honouring `retry-after-ms`, `retry-after` and Gemini's
`retryDelay` up to a cap; once a response body has started streaming nothing is retried.
"""

from __future__ import annotations

import email.utils
import functools
import json
import random
import re
import socket
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from client.core.cancel import CancelToken
from client.core.errors import ErrorKind, ThinkpaneError
from client.core.events import Failed, Notice, StreamEvent

# No read timeout on streams: how long a stream may stay silent is the turn controller's idle
# timeout (client/session.py, `ask --idle-timeout`), which reasoning models need well above 300 s.
DEFAULT_TIMEOUT = httpx.Timeout(connect=10.0, read=None, write=30.0, pool=10.0)
_RETRY_STATUSES = {408, 409, 429, 500, 502, 503, 504, 529}
_MAX_ERROR_BODY = 64 * 1024


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4  # tries in all, the first included
    base_delay_s: float = 0.5
    max_delay_s: float = 8.0
    # The longest server-requested wait we honour; a longer one is reported instead of waited.
    max_server_delay_s: float = 60.0


_shared_client: httpx.Client | None = None


def shared_client() -> httpx.Client:
    """The process-wide connection pool (httpx.Client is thread-safe)."""
    global _shared_client
    if _shared_client is None or _shared_client.is_closed:
        _shared_client = httpx.Client(timeout=DEFAULT_TIMEOUT, follow_redirects=False)
    return _shared_client


def host_of(url: str) -> str:
    return httpx.URL(url).host or url


# ---------------------------------------------------------------------------------------------
# Error mapping


def _error_fields(body: Any) -> tuple[str, str, str]:
    """(type/status, code, message) from any provider's error JSON, '' where absent."""
    if isinstance(body, list) and body:  # Gemini sometimes wraps the error object in a list
        body = body[0]
    if not isinstance(body, dict):
        return "", "", ""
    err = body.get("error", body)
    if isinstance(err, str):  # Ollama: {"error": "…"}
        return "", "", err
    if not isinstance(err, dict):
        return "", "", ""
    etype = str(err.get("type") or err.get("status") or body.get("type") or "")
    code = err.get("code")
    code_s = "" if code is None or isinstance(code, int) else str(code)
    said = (err.get("message"), body.get("message"), err.get("detail"), body.get("detail"))
    message = next((text for text in map(_detail_text, said) if text), "")
    return etype, code_s, message


def _detail_text(value: Any, depth: int = 0) -> str:
    """An error message, however it came: a string, a JSON string, or a validation `detail`
    list (Mistral's 422: `{"message": {"detail": [{"loc": […], "msg": …}]}}`) as one sentence."""
    if depth > 3 or value is None:
        return ""
    if isinstance(value, str):
        if value.lstrip().startswith(("{", "[")):
            try:
                return _detail_text(json.loads(value), depth + 1) or value
            except ValueError:
                return value
        return value
    if isinstance(value, dict):
        if "detail" in value:
            return _detail_text(value["detail"], depth + 1)
        if "msg" in value:
            where = ".".join(str(p) for p in value.get("loc") or () if p != "body")
            return f"{where}: {value['msg']}" if where else str(value["msg"])
        return _detail_text(value.get("message"), depth + 1)
    if isinstance(value, list):
        return "; ".join(t for t in (_detail_text(v, depth + 1) for v in value) if t)
    return str(value)


_CONTEXT_PATTERNS = re.compile(
    r"context_length_exceeded|maximum context length|prompt is too long|exceed context limit|"
    r"exceeds? the (maximum number of tokens|available context size)|n_keep .* >= n_ctx|"
    r"maximum prompt length|context window",
    re.IGNORECASE,
)


def classify(status: int | None, etype: str, code: str, message: str) -> ErrorKind:
    """The contract's error kind from the wire signs each provider documents (docs/providers.md)."""
    signs = f"{etype} {code}".lower()
    if "insufficient_quota" in signs or "billing" in signs:
        return ErrorKind.QUOTA
    if _CONTEXT_PATTERNS.search(f"{code} {message}"):
        return ErrorKind.CONTEXT_LENGTH
    if "overloaded" in signs or "unavailable" in signs or status in (529, 503):
        return ErrorKind.OVERLOADED
    if status == 429 or "rate_limit" in signs or "resource_exhausted" in signs:
        return ErrorKind.RATE_LIMIT
    if status in (401, 403) or "authentication" in signs or "permission" in signs:
        return ErrorKind.AUTH
    if (
        "api key not valid" in message.lower()
    ):  # Gemini: 400 INVALID_ARGUMENT, reason API_KEY_INVALID
        return ErrorKind.AUTH
    if status == 404 or "not_found" in signs:
        return ErrorKind.NOT_FOUND
    if status == 408 or "timeout" in signs:
        return ErrorKind.TIMEOUT
    if status is not None and status >= 500 or "api_error" in signs or "server_error" in signs:
        return ErrorKind.SERVER
    if status is not None and 400 <= status < 500 or "invalid_request" in signs:
        return ErrorKind.BAD_REQUEST
    return ErrorKind.SERVER


def _advice(kind: ErrorKind, provider: str, key_hint: str) -> str:
    return {
        ErrorKind.AUTH: f"Check the API key: {key_hint}",
        ErrorKind.QUOTA: "Your account is out of credit or over its quota; check billing with the provider.",
        ErrorKind.RATE_LIMIT: "The provider is rate-limiting you; wait a little and try again.",
        ErrorKind.OVERLOADED: "The provider is overloaded right now; try again in a minute.",
        ErrorKind.CONTEXT_LENGTH: "The conversation is too long for this model; start a new conversation or pick a model with a larger context.",
        ErrorKind.BAD_REQUEST: "The provider rejected the request as sent; check the model name and reasoning settings.",
        ErrorKind.NOT_FOUND: "Check the model name and the base URL.",
        ErrorKind.SERVER: "The provider had an internal error; try again.",
        ErrorKind.TIMEOUT: "The provider took too long; try again.",
    }.get(kind, "")


def error_from_payload(
    payload: Any, *, status: int | None, provider: str, key_hint: str = ""
) -> ThinkpaneError:
    """A ThinkpaneError for an error object seen in a body or mid-stream."""
    etype, code, message = _error_fields(payload)
    kind = classify(status, etype, code, message)
    what = message.strip() or (etype or code or "no details given")
    where = f"{provider} answered {status}" if status else f"{provider} reported an error"
    text = f"{where}: {what}. {_advice(kind, provider, key_hint)}".strip()
    retryable = kind in (
        ErrorKind.RATE_LIMIT,
        ErrorKind.OVERLOADED,
        ErrorKind.SERVER,
        ErrorKind.TIMEOUT,
    )
    return ThinkpaneError(
        kind, text, retryable=retryable, status=status, retry_after_s=_body_retry_delay(payload)
    )


def error_from_response(
    status: int, headers: httpx.Headers, body: bytes, *, provider: str, url: str, key_hint: str = ""
) -> ThinkpaneError:
    content_type = headers.get("content-type", "")
    text = body.decode("utf-8", "replace")
    payload: Any = None
    try:
        payload = json.loads(text) if text.strip() else None
    except ValueError:
        payload = None
    if payload is None:
        kind = classify(status, "", "", text[:500])
        page = (
            "a web page"
            if "html" in content_type or text.lstrip().startswith("<")
            else "a non-JSON body"
        )
        message = (
            f"{provider} at {url} answered {status} with {page} instead of an API error. "
            f"{_advice(kind, provider, key_hint) or 'Check the base URL.'}"
        )
        err = ThinkpaneError(kind, message, retryable=status in _RETRY_STATUSES, status=status)
    else:
        err = error_from_payload(payload, status=status, provider=provider, key_hint=key_hint)
    err.retry_after_s = _header_retry_delay(headers) or err.retry_after_s
    return err


def _header_retry_delay(headers: httpx.Headers) -> float | None:
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value) if value else None
        if parsed is None:
            return None
        return max(0.0, parsed.timestamp() - time.time())


def _body_retry_delay(payload: Any) -> float | None:
    """Gemini's `google.rpc.RetryInfo` detail: {"retryDelay": "21s"}."""
    if isinstance(payload, list) and payload:  # Gemini may wrap the error object in a list
        payload = payload[0]
    err = payload.get("error") if isinstance(payload, dict) else None
    details = err.get("details") if isinstance(err, dict) else None
    if not isinstance(details, list):
        return None
    for detail in details:
        if isinstance(detail, dict) and "retryDelay" in detail:
            match = re.fullmatch(r"\s*([\d.]+)s\s*", str(detail["retryDelay"]))
            if match:
                return float(match.group(1))
    return None


# ---------------------------------------------------------------------------------------------
# Opening a stream, with retries


def open_stream(
    method: str,
    url: str,
    *,
    provider: str,
    cancel: CancelToken,
    json_body: Any = None,
    headers: dict[str, str] | None = None,
    params: dict[str, str] | None = None,
    key_hint: str = "",
    policy: RetryPolicy | None = None,
    client: httpx.Client | None = None,
    sleep: Callable[[float], bool] | None = None,
) -> Generator[Notice, None, httpx.Response]:
    """Send the request and return the open streaming response (status 2xx), yielding a Notice
    for each retry. Use as `response = yield from open_stream(...)`; close the response after."""
    policy = policy or RetryPolicy()
    client = client or shared_client()
    wait = sleep or cancel.wait
    for attempt in range(1, policy.attempts + 1):
        if cancel.cancelled:
            raise ThinkpaneError(ErrorKind.CANCELLED, "Stopped before the request was sent.")
        error: ThinkpaneError
        try:
            request = client.build_request(
                method, url, json=json_body, headers=headers, params=params
            )
            response = client.send(request, stream=True)
        except httpx.TimeoutException:
            error = ThinkpaneError(
                ErrorKind.TIMEOUT,
                f"{provider} at {host_of(url)} did not answer in time. Check that it is running, then try again.",
                retryable=True,
            )
        except httpx.TransportError as exc:
            error = ThinkpaneError(
                ErrorKind.NETWORK,
                f"Could not reach {provider} at {host_of(url)} ({type(exc).__name__}). Check the network and the base URL, then try again.",
                retryable=True,
            )
        else:
            if response.status_code < 300:
                unregister = cancel.on_cancel(functools.partial(_abort, response))
                response.extensions["thinkpane_unregister_cancel"] = unregister
                return response
            try:
                body = _read_bounded(response)
            finally:
                response.close()
            error = error_from_response(
                response.status_code,
                response.headers,
                body,
                provider=provider,
                url=url,
                key_hint=key_hint,
            )
            # OpenAI and Anthropic say outright whether a retry can help; that beats the status.
            should_retry = response.headers.get("x-should-retry")
            if should_retry == "false" or error.kind is ErrorKind.QUOTA:
                raise error
            if response.status_code not in _RETRY_STATUSES and should_retry != "true":
                raise error
        if attempt == policy.attempts:
            raise error
        delay = error.retry_after_s
        if delay is not None and delay > policy.max_server_delay_s:
            raise ThinkpaneError(
                error.kind,
                f"{error.message} (The provider asked to wait {delay:.0f} s.)",
                retryable=True,
                status=error.info.status,
                retry_after_s=delay,
            )
        if delay is None:
            delay = min(policy.max_delay_s, policy.base_delay_s * 2 ** (attempt - 1))
            delay *= 0.75 + random.random() * 0.5
        yield Notice(
            f"{error.message.split('. ')[0]}; retrying in {delay:.1f} s (attempt {attempt + 1} of {policy.attempts}).",
            {"attempt": attempt + 1, "delay_s": delay, "kind": str(error.kind)},
        )
        if wait(delay):
            raise ThinkpaneError(ErrorKind.CANCELLED, "Stopped while waiting to retry.")
    raise AssertionError("unreachable")


def _abort(response: httpx.Response) -> None:
    """Stop a response that another thread may be blocked reading: closing the response alone
    does not wake a blocked recv(), shutting the socket down does."""
    stream = response.extensions.get("network_stream")
    sock = stream.get_extra_info("socket") if stream is not None else None
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
    else:
        response.close()


def _read_bounded(response: httpx.Response) -> bytes:
    data = bytearray()
    try:
        for chunk in response.iter_bytes():
            data += chunk
            if len(data) > _MAX_ERROR_BODY:
                break
    except httpx.HTTPError:
        pass
    return bytes(data)


def iter_body(response: httpx.Response, cancel: CancelToken, provider: str) -> Iterator[bytes]:
    """The response body as it arrives; transport trouble becomes a ThinkpaneError."""
    try:
        yield from response.iter_bytes()
    except httpx.TimeoutException as exc:
        if cancel.cancelled:
            raise ThinkpaneError(ErrorKind.CANCELLED, "Stopped.") from exc
        raise ThinkpaneError(
            ErrorKind.TIMEOUT,
            f"{provider} stopped sending for too long; the stream was cut short.",
            retryable=True,
        ) from exc
    except (httpx.HTTPError, OSError, AttributeError) as exc:
        # AttributeError: httpcore may trip over a socket closed by Stop from another thread.
        if cancel.cancelled:
            raise ThinkpaneError(ErrorKind.CANCELLED, "Stopped.") from exc
        raise ThinkpaneError(
            ErrorKind.NETWORK,
            f"The connection to {provider} broke mid-stream ({type(exc).__name__}); what arrived is kept.",
            retryable=True,
        ) from exc
    if cancel.cancelled:
        raise ThinkpaneError(ErrorKind.CANCELLED, "Stopped.")


def close_response(response: httpx.Response) -> None:
    unregister = response.extensions.get("thinkpane_unregister_cancel")
    if callable(unregister):
        unregister()
    response.close()


def check_content_type(response: httpx.Response, expected: tuple[str, ...], provider: str) -> None:
    """A 200 that is not a stream (an HTML login page, a proxy's error) is a protocol error."""
    content_type = response.headers.get("content-type", "").lower()
    if content_type and not any(e in content_type for e in expected):
        raise ThinkpaneError(
            ErrorKind.PROTOCOL,
            f"{provider} answered with {content_type.split(';')[0]} instead of a stream. "
            "Check that the base URL points at the API, not a web page or proxy.",
        )


def reject_non_stream(
    response: httpx.Response,
    cancel: CancelToken,
    expected: tuple[str, ...],
    *,
    provider: str,
    key_hint: str = "",
) -> None:
    """Raise the right error for a 2xx that is not the stream asked for: an API error object sent
    as plain JSON with a 200 (some proxies do), or a web page (protocol)."""
    content_type = response.headers.get("content-type", "").lower()
    if not content_type or any(e in content_type for e in expected):
        return
    if "json" in content_type:
        body = b"".join(iter_body(response, cancel, provider))
        try:
            payload = json.loads(body)
        except ValueError:
            payload = None
        if isinstance(payload, dict | list) and _error_fields(payload) != ("", "", ""):
            raise error_from_payload(payload, status=None, provider=provider, key_hint=key_hint)
    check_content_type(response, expected, provider)


def get_json(
    url: str,
    *,
    provider: str,
    headers: dict[str, str] | None = None,
    params: dict[str, str] | None = None,
    client: httpx.Client | None = None,
    key_hint: str = "",
    timeout_s: float = 10.0,
) -> Any:
    """One plain GET (a model list): the decoded JSON, or a ThinkpaneError with a sentence."""
    client = client or shared_client()
    try:
        response = client.get(url, headers=headers, params=params, timeout=timeout_s)
    except httpx.TimeoutException as exc:
        raise ThinkpaneError(
            ErrorKind.TIMEOUT, f"{provider} at {host_of(url)} did not answer in time."
        ) from exc
    except httpx.HTTPError as exc:
        raise ThinkpaneError(
            ErrorKind.NETWORK,
            f"Could not reach {provider} at {host_of(url)} ({type(exc).__name__}). Check that it is running and the base URL.",
        ) from exc
    if response.status_code >= 300:
        raise error_from_response(
            response.status_code,
            response.headers,
            response.content,
            provider=provider,
            url=url,
            key_hint=key_hint,
        )
    try:
        return response.json()
    except ValueError as exc:
        raise ThinkpaneError(
            ErrorKind.PROTOCOL, f"{provider} at {url} did not answer with JSON."
        ) from exc


class StreamReader(Protocol):
    """One response's parser: bytes in, canonical events out."""

    output_seen: bool

    def read(self, chunks: Iterable[bytes]) -> Iterator[StreamEvent]: ...

    def flush(self) -> Iterator[StreamEvent]:
        """Whatever was held back (a partial tag, merged opaque state), once, however it ended."""
        ...


def stream_response(
    opening: Generator[Notice, None, httpx.Response],
    reader: StreamReader,
    cancel: CancelToken,
    *,
    expected: tuple[str, ...],
    provider: str,
    key_hint: str = "",
) -> Iterator[StreamEvent]:
    """The life of one streamed request, the same for every adapter: open it (retrying before the
    first byte), refuse what is not the stream asked for, read it, and on any failure keep what
    arrived and end with Failed. The response is always closed."""
    try:
        response = yield from opening
    except ThinkpaneError as exc:
        yield Failed(exc.info)
        return
    try:
        reject_non_stream(response, cancel, expected, provider=provider, key_hint=key_hint)
        yield from reader.read(iter_body(response, cancel, provider))
    except ThinkpaneError as exc:
        yield from reader.flush()
        yield Failed(exc.info, after_output=reader.output_seen)
    finally:
        close_response(response)
