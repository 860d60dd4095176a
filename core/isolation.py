"""Running untrusted work (reading a file someone sent) in a child process with limits.

A damaged or hostile spreadsheet can make a reader written in Rust or C allocate hundreds
of gigabytes and abort the whole process, or loop without end while holding the GIL, so
that no other thread runs. Read in the bot's own process, one such file takes the bot
down for everyone. Here the work runs in a fresh interpreter (``python -m core.isolation``)
that caps its own address space and CPU time before it reads anything, and the parent waits
for it with a wall-clock deadline; whatever the child does, the parent gets a result,
:class:`ChildError` (an exception the work raised) or :class:`LimitExceeded`, and goes on.

A fresh interpreter, not a fork: forking the multi-threaded bot is unsafe (a lock another
thread held stays held in the child). It costs about 50 ms per file, as much as the
modules the work imports (``core`` imports nothing heavy).

The result comes back pickled, and is unpickled allowing only plain values (containers,
text, numbers) and the classes the caller names: a child subverted by a crafted file can
hand back nothing that runs code in the bot.
"""

from __future__ import annotations

import importlib
import io
import os
import pickle
import resource
import subprocess
import sys
import tempfile
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Limits:
    """What a child may use before it is stopped."""

    #: Wall-clock seconds from start to the whole result received.
    seconds: float = 60.0
    #: Address space of the child (``RLIMIT_AS``), in megabytes.
    memory_mb: int = 2048


class LimitExceeded(Exception):
    """The child ran out of time or memory, or died; ``reason`` says which, in English (for
    logs); callers word it for users."""

    def __init__(self, reason: str, *, timed_out: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.timed_out = timed_out


class ChildError(Exception):
    """The work raised: ``kind`` is the exception's qualified class name, ``message`` its
    text."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(f"{kind}: {message}")
        self.kind = kind
        self.message = message


def run_limited(
    func: Callable[..., Any],
    *args: Any,
    limits: Limits,
    returns: Collection[type] = (),
) -> Any:
    """``func(*args)`` in a child process within ``limits``. ``func`` is a module-level
    function, ``args`` picklable; the result may hold plain values and instances of the
    classes in ``returns``."""
    request = pickle.dumps((func.__module__, func.__qualname__, args))
    command = [
        sys.executable,
        "-m",
        __name__,
        str(limits.memory_mb),
        str(max(1, int(limits.seconds) + 1)),  # CPU seconds: a backstop to the deadline
    ]
    # stderr (a panic's message) goes to a file, of which the end is read: a child writing
    # without end cannot fill the bot's memory
    with (
        tempfile.TemporaryFile() as errors,
        subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            env={**os.environ, "RUST_BACKTRACE": "0"},  # a panic's one line, not its stack
        ) as child,
    ):
        try:
            output, _ = child.communicate(request, timeout=limits.seconds)
        except subprocess.TimeoutExpired:
            child.kill()
            child.communicate()
            raise LimitExceeded(f"no result within {limits.seconds:g} s", timed_out=True) from None
        if child.returncode != 0 or not output:
            errors.seek(max(0, errors.seek(0, io.SEEK_END) - 2000))
            lines = errors.read().decode("utf-8", "replace").strip().splitlines()
            # the cause, not Rust's closing "note: run with RUST_BACKTRACE=1 …"
            tail = [line for line in lines if not line.startswith("note:")][-1:] or [""]
            raise LimitExceeded(f"the child ended with code {child.returncode}: {tail[0][:300]}")
    try:
        status, value = _Unpickler(io.BytesIO(output), returns).load()
    except Exception as exc:  # whatever a subverted child wrote
        raise LimitExceeded(f"the child's answer was refused: {exc}") from None
    if status == "ok":
        return value
    if status == "memory":
        raise LimitExceeded("out of memory")
    kind, message = value
    raise ChildError(str(kind), str(message))


_SAFE_GLOBALS = {("datetime", "datetime"), ("datetime", "date"), ("datetime", "time")}


class _Unpickler(pickle.Unpickler):
    def __init__(self, stream: io.BytesIO, returns: Collection[type]) -> None:
        super().__init__(stream)
        self._allowed = _SAFE_GLOBALS | {(t.__module__, t.__qualname__) for t in returns}

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in self._allowed:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed from a child")
        return super().find_class(module, name)


def _serve() -> int:
    """The child: limits first, then the request from stdin, the answer to stdout."""
    memory = int(sys.argv[1]) * 1024 * 1024
    cpu = int(sys.argv[2])
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing the work prints can corrupt the answer
    module, name, args = pickle.loads(sys.stdin.buffer.read())
    func: Any = importlib.import_module(module)
    for part in name.split("."):
        func = getattr(func, part)
    try:
        answer: tuple[str, Any] = ("ok", func(*args))
    except MemoryError:
        answer = ("memory", None)
    except BaseException as exc:  # a Rust panic is a BaseException
        answer = ("error", (f"{type(exc).__module__}.{type(exc).__qualname__}", str(exc)))
    try:
        data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        data = pickle.dumps(("memory", None))
    out.write(data)
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(_serve())
