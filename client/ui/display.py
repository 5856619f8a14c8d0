"""Is there a screen to open the window on? Asked before Qt starts, because Qt cannot be asked.

Without a reachable display Qt aborts the whole process (a core dump, and a message about the
xcb-cursor library that sends people looking in the wrong place). So before the QApplication is
created, `display_problem()` checks the way Qt will connect, without importing Qt: a Wayland
socket, or an X server (its socket, or TCP for a remote DISPLAY). It returns one sentence when
there is none, so the command can say it and exit; the command line (`thinkpane ask`) needs no
display at all. On macOS and Windows there is always a display, and a QT_QPA_PLATFORM the user
chose (offscreen, vnc, …) is trusted.
"""

from __future__ import annotations

import os
import re
import socket
import sys
from pathlib import Path

_CONNECT_TIMEOUT_S = 0.5

NO_DISPLAY = (
    "Thinkpane cannot open its window because {why}: run it in a desktop session, or use the "
    'command line, which needs no display (`thinkpane ask "…"`, `thinkpane --help`).'
)


def _can_connect(family: int, address: str | tuple[str, int]) -> bool:
    try:
        with socket.socket(family, socket.SOCK_STREAM) as s:
            s.settimeout(_CONNECT_TIMEOUT_S)
            s.connect(address)
    except OSError:
        return False
    return True


def _wayland_reachable(name: str, env: dict[str, str]) -> bool:
    path = Path(name)
    if not path.is_absolute():
        runtime = env.get("XDG_RUNTIME_DIR", "")
        if not runtime:
            return False
        path = Path(runtime) / name
    return _can_connect(socket.AF_UNIX, str(path))


def _x11_reachable(display: str) -> bool:
    match = re.fullmatch(r"(?P<host>[^:]*):(?P<number>\d+)(?:\.\d+)?", display.strip())
    if match is None:
        return False
    host, number = match["host"], int(match["number"])
    if host in ("", "unix") or host.startswith("/"):
        if host.startswith("/"):  # macOS launchd-style socket path
            return Path(display.split(":")[0]).exists()
        path = f"/tmp/.X11-unix/X{number}"
        if sys.platform.startswith("linux") and _can_connect(socket.AF_UNIX, "\0" + path):
            return True
        return _can_connect(socket.AF_UNIX, path)
    return _can_connect(socket.AF_INET, (host, 6000 + number))


def display_problem(env: dict[str, str] | None = None) -> str | None:
    """None when the window can open; otherwise one sentence saying why not and what to do."""
    env = dict(os.environ) if env is None else env
    if not sys.platform.startswith("linux") and "bsd" not in sys.platform:
        return None
    platform = env.get("QT_QPA_PLATFORM", "").strip().lower()
    if platform and not platform.startswith(("xcb", "wayland")):
        return None  # offscreen, minimal, vnc, eglfs…: the user chose, Qt needs no display server
    wayland, x11 = env.get("WAYLAND_DISPLAY", "").strip(), env.get("DISPLAY", "").strip()
    if wayland and not platform.startswith("xcb") and _wayland_reachable(wayland, env):
        return None
    if x11 and not platform.startswith("wayland") and _x11_reachable(x11):
        return None
    if not wayland and not x11:
        why = "no display is set (neither DISPLAY nor WAYLAND_DISPLAY)"
    else:
        shown = " and ".join(
            f"{name}={value}" for name, value in (("WAYLAND_DISPLAY", wayland), ("DISPLAY", x11))
            if value
        )  # fmt: skip
        why = f"the display {shown} does not answer"
    return NO_DISPLAY.format(why=why)
