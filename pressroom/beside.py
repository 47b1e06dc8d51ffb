"""Work beside the build: part of a build run on a second core, in a process forked from
the build, while the build goes on (the page rendered by WeasyPrint, while the build reads
the manuscript, sets the page and makes the e-book).

``beside(work, *arguments)`` forks; the child runs ``work(*arguments, given)``, where
``given()`` waits for what the build hands over (``Beside.hand``: the page made ready),
and ``Beside.result`` waits for what the child made. The child writes no output: what
it makes comes back as bytes, for the build to publish with its own, all or nothing. Its
warnings and notes come back with it and are said by the build's own diagnostics; its
error is raised in the build as if the build had met it.

A build that fails or is interrupted first closes its end: the child, waiting for what
the build hands over or not, is stopped, read to its end and joined, so that nothing of
it outlives the build.
"""
from __future__ import annotations

import dataclasses
import os
import pickle
import signal
import sys
import traceback
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from .errors import EXIT_INTERNAL, EXIT_INTERRUPTED, PressroomError, active_diagnostics, \
    diagnostics


@dataclass(frozen=True)
class _Answer:
    """What the child sends back: its result or its error, and what it said meanwhile."""

    result: Any = None
    error: BaseException | None = None
    trace: str | None = None  # a bug's traceback, as the child saw it
    warnings: tuple = ()
    notes: tuple[str, ...] = ()
    said: frozenset[str] = frozenset()  # ``Diagnostics.first_time``'s keys, by then


class _Gone(Exception):
    """The build closed its end before handing its value over: it failed, or was stopped."""


@dataclass
class Beside:
    """The build's side of the work beside it."""

    what: str  # for a lost child's message: "the e-book"
    pid: int
    to_child: Any
    from_child: Any
    exitcode: int | None = None
    answer: _Answer | None = None

    def hand(self, value: Any) -> None:
        """Hand ``value`` to the work: ``given()`` returns it there."""
        try:
            self.to_child.send(value)
        except OSError:
            pass  # it ended before asking: its answer says why

    def result(self) -> Any:
        """What the work made, once its warnings and notes are said here; its error is
        raised here. Asked again, the same, said once."""
        if self.answer is None:
            self.answer = self._received()
        answer = self.answer
        if answer.error is not None:
            raise answer.error
        return answer.result

    def finish(self, value: Any) -> Any:
        """``hand(value)``, then the ``result()``."""
        self.hand(value)
        return self.result()

    def _received(self) -> _Answer:
        answer = received(self.from_child)
        self._join()
        if answer is None:
            if self.exitcode == EXIT_INTERRUPTED:
                raise KeyboardInterrupt
            raise RuntimeError(f"the process making {self.what} beside the build "
                               f"{how_it_ended(self.exitcode)} before it answered")
        collector = active_diagnostics()
        said = {str(warning) for warning in collector.warnings}
        for warning in answer.warnings:
            # A warning of the machine, said once a run (PR505), may be said by both.
            if str(warning) not in said:
                collector.warn(warning)
        collector.said |= answer.said
        for note in answer.notes:
            collector.note(note)
        if answer.error is not None and answer.trace:
            answer.error.add_note(f"raised beside the build, in the process making "
                                  f"{self.what}:\n{answer.trace}")
        return answer

    def abandon(self) -> None:
        """The build failed or was stopped: the child is stopped as Ctrl-C stops a build
        (its temporary files removed as it unwinds), rather than waited for, whose work
        may take long (a template including itself, 20 s to reach Python's recursion
        limit); what it still sends is read and dropped, so that it never waits on a
        full pipe. Not reaped until then, its number names no other process. After
        ``result``, only the ends are closed."""
        self.to_child.close()
        if self.exitcode is None:
            with suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGINT)
        received(self.from_child)
        self._join()

    def _join(self) -> None:
        if self.exitcode is None:
            _, status = os.waitpid(self.pid, 0)
            self.exitcode = os.waitstatus_to_exitcode(status)


@contextmanager
def beside(what: str, work: Callable[..., Any], *arguments: Any) -> Iterator[Beside]:
    """Run ``work(*arguments, given)`` in a forked process for the block's length; the
    block calls ``hand(value)`` once, ``given()`` in the child returning ``value``, and
    ``result()`` for what the work made."""
    from multiprocessing import Pipe  # its connections: pickled messages, whole or not at all

    to_child_reader, to_child = Pipe(duplex=False)
    from_child, from_child_writer = Pipe(duplex=False)
    strict, said = active_diagnostics().strict, set(active_diagnostics().said)
    # What this process has buffered would otherwise be printed a second time by the child.
    sys.stdout.flush()
    sys.stderr.flush()
    # Ctrl-C held back across the fork: the child must meet it inside its own handler,
    # never while still on the build's stack (it would unwind the build's scratch).
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    pid = os.fork()
    if pid == 0:  # the child, which never returns from here
        code = 0
        try:
            # Stopped by SIGINT (``abandon``) even where the build was started ignoring it.
            signal.signal(signal.SIGINT, signal.default_int_handler)
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
            to_child.close()  # the fork copied the build's ends: the build alone holds them
            from_child.close()
            _child(to_child_reader, from_child_writer, strict, said, work, arguments)
        except KeyboardInterrupt:
            code = EXIT_INTERRUPTED  # Ctrl-C reaches the process group: the build hears it
        except BaseException:  # noqa: BLE001 - nothing of the build's stack runs on here
            code = EXIT_INTERNAL
        finally:
            os._exit(code)
    to_child_reader.close()
    from_child_writer.close()
    helper = Beside(what, pid, to_child, from_child)
    try:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # a Ctrl-C held back lands here
        yield helper
    finally:
        helper.abandon()  # after result, only the ends closed: the child is joined


def _child(reader, writer, strict: bool, said: set[str], work, arguments) -> None:
    handed: list = []

    def given() -> Any:
        if not handed:
            try:
                handed.append(reader.recv())
            except (EOFError, OSError):
                raise _Gone from None
        return handed[0]

    warnings: list = []
    notes: list[str] = []
    result = error = trace = None
    with diagnostics(strict=strict, emit=warnings.append, inform=notes.append) as collector:
        collector.said |= said
        try:
            result = work(*arguments, given)
        except _Gone:
            return
        except PressroomError as raised:
            error = raised
        except Exception as raised:  # noqa: BLE001 - a bug: the build reports it
            error, trace = raised, "".join(traceback.format_exception(raised))
    try:
        # Taken even when the work did without it: the build sends before it reads, and
        # a large answer sent first would leave both waiting on a full pipe.
        given()
    except _Gone:
        return
    answer = _Answer(result, error, trace, tuple(warnings), tuple(notes), frozenset(collector.said))
    try:
        writer.send(_picklable(answer))
    except OSError:
        pass  # the build stopped: nobody reads it


def _picklable(answer: _Answer) -> _Answer:
    """The answer, or, if its error cannot cross to the build (pickled here, made again
    there), a RuntimeError saying what it was."""
    try:
        pickle.loads(pickle.dumps(answer.error))
    except Exception:  # noqa: BLE001 - any exception a library defines
        return dataclasses.replace(answer, error=RuntimeError(repr(answer.error)))
    return answer


def received(reader) -> Any:
    """What a forked process sends (here, or a worker of ``runner.run_many``), the pipe
    closed after; None if it ended without sending it whole."""
    try:
        return reader.recv()
    except Exception:  # noqa: BLE001 - the pipe's end, or an answer that cannot be read
        return None
    finally:
        reader.close()


def how_it_ended(exitcode: int | None) -> str:
    """A forked process's end, from its exit code, for the message that reports it."""
    return f"was killed by signal {-exitcode}" if exitcode and exitcode < 0 else \
        f"exited with code {exitcode}"
