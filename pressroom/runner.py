"""Running builds as the tasks ask for them: one manuscript or edition, or many at once.

A build first asks its manifest (``pressroom.manifest``) whether anything changed; if
not, it writes nothing and returns at once, without importing the typesetting. Otherwise
it runs the pipeline (``pressroom.build``), publishes the outputs together and records a
new manifest. ``run_many`` builds manuscripts in worker processes, continues past a
failing one, and gives one ``Outcome`` a manuscript for the summary table.
"""
from __future__ import annotations

import atexit
import gc
import os
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

from . import manifest
from .errors import EXIT_INTERNAL, EXIT_INTERRUPTED, PressroomError, diagnostics, printable
from .beside import how_it_ended, received
from .output import staged_outputs

# task -> (the build of one manuscript, the build of an edition), in pressroom.build
MAKERS = {
    "pdf": ("build_pdf", "build_edition_pdf"),
    "epub": ("build_epub", "build_edition_epub"),
    "build": ("build_all", "build_edition"),
    "proof": ("build_proof", "build_edition_proof"),
}


@dataclass(frozen=True)
class Outcome:
    """What one build of one manuscript (or edition) gave."""

    target: Path
    outputs: tuple[Path, ...] = ()
    pages: int | None = None
    seconds: float = 0.0
    fresh: bool = False  # up to date: nothing was written
    error: str | None = None  # the one-line message of a failed build
    code: int = 0  # its exit code
    messages: tuple[str, ...] = ()  # warnings and notes, in the order they came

    @property
    def ok(self) -> bool:
        return self.error is None


def job_of(task: str, target: Path, edition: bool, strict: bool, variant: str | None = None,
           proof_only: bool = False) -> manifest.Job:
    """The manifest's key: the task (with the PDF's variant, so that a press PDF and the
    screen one each keep theirs), and the manuscript folder or plan file by its full
    path, so that two folders of one name (a copy elsewhere) never share a manifest. One
    e-book whatever the PDF is made for: an e-book's job has neither variant."""
    if task == "epub":
        variant, proof_only = None, False
    where = os.path.normpath(Path(target).absolute())
    kind = "edition" if edition else "manuscript"
    options = (("strict", str(bool(strict))),)
    if variant or proof_only:
        options += (("variant", variant or "the plan's"), ("proof_only", str(proof_only)))
    return manifest.Job(f"{task}-{variant}" if variant else task, f"{kind}-{Path(where).stem}",
                        where, options)


def collector_off() -> None:
    """For a process that builds one manuscript and then exits, as the command line
    does: the cyclic garbage collector is switched off. A build makes some 300
    collections of its young objects, a twentieth of its time (a fifth of a long
    story's), and what they would free is freed as the process ends: the peak memory of
    a manuscript's build measured the same with it and without. Not for an edition,
    whose pages would each leave their layout's garbage (10 to 20 MB more at its peak).
    The workers of ``run_many`` inherit it; a long-lived caller (``invoke watch``, the
    tests) keeps its collector.

    As the process ends, the interpreter makes one collection all the same, over all it
    holds (a page's layout among it: some 15 ms); frozen first, the objects are not
    scanned, and the memory goes back with the process."""
    gc.disable()
    atexit.register(gc.freeze)


def run(task: str, target: Path, out_dir: Path, strict: bool = False, edition: bool = False,
        force: bool = False, emit: Callable[[object], None] = print,
        inform: Callable[[str], None] = print, variant: str | None = None,
        proof_only: bool = False) -> Outcome:
    """Build ``target`` for ``task`` unless its manifest shows it up to date. A user
    error is returned in the outcome, never raised; an interruption is raised.
    ``variant``: the PDF's (``pressroom.variants``; None: the screen PDF, or the plan's)."""
    start = time.perf_counter()
    job = job_of(task, target, edition, strict, variant, proof_only)
    fresh = None if force else _fresh(job, target, out_dir, start)
    if fresh is not None:
        return fresh
    try:
        paths, pages = _build(task, job, Path(target), Path(out_dir), strict, edition, emit,
                              inform, variant, proof_only)
    except PressroomError as error:
        return Outcome(Path(target), seconds=time.perf_counter() - start, error=str(error),
                       code=error.exit_code)
    except KeyboardInterrupt:
        raise
    except Exception as error:  # noqa: BLE001 - a bug: reported, the other builds go on
        return Outcome(Path(target), seconds=time.perf_counter() - start,
                       error=internal_error(error), code=EXIT_INTERNAL)
    return Outcome(Path(target), tuple(paths), pages, time.perf_counter() - start)


def _fresh(job: manifest.Job, target: Path, out_dir: Path, start: float) -> Outcome | None:
    """The outcome of a build its manifest shows up to date; None if it must be built."""
    fresh = manifest.up_to_date(job, out_dir)
    if fresh is None:
        return None
    return Outcome(Path(target), tuple(fresh), manifest.recorded_pages(job, out_dir),
                   time.perf_counter() - start, fresh=True)


def _build(task: str, job: manifest.Job, target: Path, out_dir: Path, strict: bool,
           edition: bool, emit, inform, variant: str | None,
           proof_only: bool) -> tuple[list[Path], int | None]:
    from . import build, faces  # the pipeline: imported only when something is built
    from .variants import SCREEN, variant_named

    maker = getattr(build, MAKERS[task][1 if edition else 0])
    extra = {}
    if task == "epub" and not edition:
        page = built_page(target, out_dir, strict)
        extra = {"page": page} if page else {}
    elif task != "epub":
        chosen = variant_named(variant) if variant else None if edition else SCREEN
        extra = {"variant": chosen, "proof_only": proof_only}
    with diagnostics(strict=strict, emit=emit, inform=inform):
        manifest.forget(job, out_dir)
        with staged_outputs():
            paths = maker(target, out_dir=out_dir, **extra)
        paths = paths if isinstance(paths, list) else [paths]
        sources = build.edition_sources(target) if edition else [target]
        pages = _pages(paths, edition)
        manifest.record(job, out_dir, sources, paths, faces.source_files(), pages)
    return paths, pages


def built_page(target: Path, out_dir: Path, strict: bool) -> Path | None:
    """The article's PDF in ``out_dir`` if a manifest shows it made from the inputs as
    they are now: the e-book's cover is drawn from it rather than from a second setting."""
    for task in ("pdf", "build"):
        fresh = manifest.up_to_date(job_of(task, target, False, strict), out_dir)
        page = next((path for path in fresh or () if path.suffix == ".pdf"), None)
        if page:
            return page
    return None


def _pages(paths: Sequence[Path], edition: bool) -> int | None:
    pdfs = [path for path in paths if path.suffix == ".pdf"]
    if edition:  # a PDF a page, and the whole edition
        return max(len(pdfs) - 1, 0) or None
    if not pdfs:
        return None
    import pypdfium2

    document = pypdfium2.PdfDocument(str(pdfs[0]))
    try:
        return len(document)
    finally:
        document.close()


def internal_error(error: BaseException) -> str:
    """One line for a bug in Pressroom, the trace written to a file outside build/."""
    handle, name = tempfile.mkstemp(prefix="pressroom-crash-", suffix=".log")
    with open(handle, "w", encoding="utf-8") as stream:
        stream.write(f"pressroom internal error\nargv: {sys.argv}\npython: {sys.version}\n\n")
        stream.writelines(traceback.format_exception(error))
    message = printable(" ".join(str(error).split())[:300])
    return (f"internal error: {type(error).__name__}: {message} (a bug in Pressroom, not in "
            f"the manuscript; trace written to {name})")


# -- many manuscripts --------------------------------------------------------------

def _run_collected(task: str, target: Path, out_dir: Path, strict: bool,
                   force: bool, variant: str | None = None,
                   proof_only: bool = False) -> Outcome:
    """``run`` in a worker: its warnings and notes come back with its outcome, so that
    the lines of two builds never interleave."""
    messages: list[str] = []
    try:
        outcome = run(task, target, out_dir, strict, force=force,
                      emit=lambda warning: messages.append(str(warning)),
                      inform=lambda note: messages.append(str(note)), variant=variant,
                      proof_only=proof_only)
    except KeyboardInterrupt:
        import multiprocessing

        if multiprocessing.parent_process() is None:
            raise
        # A worker: its build has discarded what it staged; it takes no next manuscript.
        os._exit(EXIT_INTERRUPTED)
    return Outcome(outcome.target, outcome.outputs, outcome.pages, outcome.seconds,
                   outcome.fresh, outcome.error, outcome.code, tuple(messages))


def run_many(task: str, targets: Iterable[Path], out_dir: Path, strict: bool = False,
             jobs: int | None = None, force: bool = False,
             done: Callable[[Outcome], None] = lambda outcome: None,
             variant: str | None = None, proof_only: bool = False) -> list[Outcome]:
    """Build every target, ``jobs`` at a time (default: one a core), past any failure;
    ``done`` hears of each as it ends. Outcomes in the targets' order.

    The targets up to date are answered here, from their manifests. Of the others, each
    is built in a process of its own, forked from this one once the pipeline is imported:
    a worker starts warm, and its memory is one build's, never what the builds before it
    left behind (the long and the photo manuscripts one after another would hold some
    15 MB more than either alone)."""
    targets = list(targets)
    results: dict[Path, Outcome] = {}
    stale = []
    for target in targets:
        fresh = None if force else _up_to_date(task, target, out_dir, strict, variant,
                                                proof_only)
        if fresh is None:
            stale.append(target)
        else:
            results[target] = fresh
            done(fresh)
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(stale) or 1))
    if len(stale) == 1:
        results[stale[0]] = _run_collected(task, stale[0], out_dir, strict, True, variant,
                                           proof_only)
        done(results[stale[0]])
    elif stale:
        arguments = (out_dir, strict, True, variant, proof_only)
        for outcome in _in_workers(task, stale, arguments, jobs):
            results[outcome.target] = outcome
            done(outcome)
    return [results[target] for target in targets]


def _up_to_date(task: str, target: Path, out_dir: Path, strict: bool, variant: str | None,
                proof_only: bool) -> Outcome | None:
    job = job_of(task, target, False, strict, variant, proof_only)
    try:
        return _fresh(job, target, out_dir, time.perf_counter())
    except OSError:  # its worker meets the problem and reports it
        return None


def _in_workers(task: str, targets: list[Path], arguments: tuple, jobs: int) -> Iterable[Outcome]:
    """Each target's outcome as its worker ends, ``jobs`` workers at a time."""
    import multiprocessing
    from multiprocessing.connection import wait

    from . import build  # imported once here, for every worker

    # An e-book's cover is mostly drawn from a page already built: without WeasyPrint.
    build.ready_to_fork(with_page=task != "epub")
    context = multiprocessing.get_context("fork")
    queue = list(targets)
    running: dict = {}  # the worker's end of the pipe -> (process, target)
    try:
        while queue or running:
            while queue and len(running) < jobs:
                target = queue.pop(0)
                reader, writer = context.Pipe(duplex=False)
                process = context.Process(target=_worker,
                                          args=(reader, writer, task, target, *arguments),
                                          daemon=True)
                process.start()
                writer.close()
                running[reader] = (process, target)
            # A pipe is ready when its outcome is sent, or at its end if the worker died.
            for reader in wait(list(running)):
                process, target = running.pop(reader)
                outcome = received(reader)
                process.join()
                if outcome is None and process.exitcode == EXIT_INTERRUPTED:
                    raise KeyboardInterrupt  # a worker ended by Ctrl-C
                yield outcome or Outcome(target, error=_lost_worker(process.exitcode),
                                         code=EXIT_INTERNAL)
    except BaseException:
        # Ctrl-C: the builds under way discard what they staged, none queued starts. What
        # a worker still sends is read and dropped: it never waits on a full pipe.
        for reader, (process, _) in running.items():
            received(reader)
            process.join()
        raise


def _worker(reader, writer, task: str, target: Path, *arguments) -> None:
    try:
        reader.close()  # the parent's end, which the fork copied
        outcome = _run_collected(task, target, *arguments)
        try:
            writer.send(outcome)
        except OSError:
            pass  # the run was stopped: nobody reads it
    except KeyboardInterrupt:
        # Ctrl-C outside the build (as the worker starts, or sends): nothing of it is
        # staged; the parent hears it from the exit code, without a trace.
        os._exit(EXIT_INTERRUPTED)
    finally:
        writer.close()


def _lost_worker(exitcode: int | None) -> str:
    return (f"internal error: the process building it {how_it_ended(exitcode)} before it reported (a bug in "
            f"Pressroom or a library it uses, not in the manuscript; out of memory, if the "
            f"system killed it)")
