"""The live preview (``invoke watch``): a warm process that rebuilds a manuscript's page
proof and e-book on every save, and a small web server that shows the proof.

The process stays up, so everything a build loads once (WeasyPrint, the faces, the
compiled layouts, the caches of the line setter, the renderer's font configuration
with the faces Fontconfig and Pango have loaded) stays loaded: after the first build a
save costs only the work that save makes. ``watchfiles`` reports saves in the
manuscript's folder (its text, photos, fonts and ``layouts/``) and in the project's
``layouts/``; each rebuild makes the PDF page and its proofs first (what the editor
looks at), then the EPUB. A build that fails is reported, on the terminal and on the
page, and the previous outputs stay as they were: the editor fixes the text and saves
again, the watcher never stops on a user's error.

The server answers on 127.0.0.1 only, since it shows pages not yet published, and hands
out nothing but the preview page, its status and the outputs of this session's builds,
each by its exact name: no listing, no other file of the output folder, no path made
from what a request asks for.
"""
from __future__ import annotations

import argparse
import functools
import http.server
import json
import secrets
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable
from urllib.parse import quote, unquote

import jinja2
import watchfiles

from . import build
from .errors import PressroomError, ResourceError, diagnostics, printable
from .fingerprint import LAYOUTS_DIR, NOT_INPUTS, file_digest
from .output import discard_own_parts, staged_outputs
from .runner import internal_error

HOST = "127.0.0.1"
POLL_MS = 300  # how often the page asks for the status
STATUS_PATH = "/status.json"
PREVIEW_DIR = Path(__file__).resolve().parent / "preview"
# Whatever else asks for the server by name (a DNS-rebinding page) is refused.
LOCAL_NAMES = ("127.0.0.1", "localhost")
CONTENT_TYPES = {".png": "image/png", ".pdf": "application/pdf",
                 ".epub": "application/epub+zip"}

Emit = Callable[[str], None]


@dataclass(frozen=True)
class Proof:
    """One page's proof as the preview shows it: its file name and the SHA-256 of its bytes."""

    name: str
    sha256: str


@dataclass(frozen=True)
class Status:
    """The outcome of the last rebuild, and the outputs the server may hand out.

    The outputs are those of the last build of each kind that succeeded: a failed build
    writes nothing, so they are still on disk as they were."""

    build: int = 0  # builds finished; a new number is a new proof
    ok: bool = True
    under_way: str | None = "first build"  # what is being made now, if anything
    error: str | None = None
    seconds: float | None = None
    proofs: tuple[Proof, ...] = ()
    pdf: str | None = None
    epub: str | None = None

    @property
    def files(self) -> frozenset[str]:
        return frozenset([*(proof.name for proof in self.proofs),
                          *(name for name in (self.pdf, self.epub) if name)])

    @property
    def summary(self) -> str:
        if self.build == 0:
            return f"{self.under_way} under way"
        text = f"build {self.build} " + ("ok" if self.ok else "failed")
        if self.seconds is not None:
            text += f" in {self.seconds:.2f} s"
        return text + (f"; {self.under_way} under way" if self.under_way else "")

    def as_json(self) -> dict:
        return {"build": self.build, "state": "ok" if self.ok else "failed",
                "under_way": self.under_way, "error": self.error, "seconds": self.seconds,
                "summary": self.summary,
                "proofs": [{"name": proof.name, "sha256": proof.sha256}
                           for proof in self.proofs],
                "pdf": self.pdf, "epub": self.epub}


class Preview:
    """The status the builder writes and the server's threads read."""

    def __init__(self, manuscript: Path, out_dir: Path):
        self.manuscript = manuscript
        self.out_dir = out_dir
        self._status = Status()
        self._lock = threading.Lock()

    @property
    def status(self) -> Status:
        with self._lock:
            return self._status

    def update(self, **changes) -> Status:
        with self._lock:
            self._status = replace(self._status, **changes)
            return self._status


# -- the builds ---------------------------------------------------------------------

class _Rebuild:
    """One rebuild: its errors, and what it has said (the EPUB's build reads the
    manuscript again and repeats its warnings; the terminal shows each once)."""

    def __init__(self, emit: Emit, said: set[str]):
        self.emit = emit
        self.said = said  # ``Diagnostics.first_time``'s keys, for the whole session
        self.lines: set[str] = set()
        self.errors: list[str] = []

    def say(self, text: str) -> None:
        if text not in self.lines:
            self.lines.add(text)
            self.emit(text)

    def attempt(self, maker, manuscript: Path, out_dir: Path):
        """``maker(manuscript, out_dir)`` as a task runs it; its outputs, or None when it
        failed (the error said and kept)."""
        try:
            with diagnostics(strict=False, emit=lambda warning: self.say(str(warning)),
                             inform=self.say) as collector:
                collector.said = self.said
                with staged_outputs():
                    return maker(manuscript, out_dir)
        except PressroomError as error:
            self.fail(str(error))
        except Exception as error:  # noqa: BLE001 - a bug must not end the session
            self.fail(internal_error(error))
        return None

    def fail(self, text: str) -> None:
        if text not in self.errors:
            self.errors.append(text)
            self.emit(text)


def rebuild(preview: Preview, emit: Emit = print, said: set[str] | None = None) -> Status:
    """Build the page and its proofs, publish them to the preview, then the EPUB; print
    one line with the times."""
    manuscript, out_dir = preview.manuscript, preview.out_dir
    preview.update(under_way="rebuild")
    run = _Rebuild(emit, said if said is not None else set())
    start = time.perf_counter()
    page = run.attempt(build.build_page, manuscript, out_dir)
    page_seconds = time.perf_counter() - start
    changes = {}
    if page is not None:
        changes = {"proofs": tuple(Proof(path.name, file_digest(path))
                                   for path in page if path.suffix == ".png"),
                   "pdf": next(path.name for path in page if path.suffix == ".pdf")}
    number = preview.status.build + 1
    preview.update(build=number, ok=not run.errors, error="\n".join(run.errors) or None,
                   seconds=page_seconds, under_way="e-book", **changes)
    # The e-book's cover from the page just made, not from a second setting of it.
    made = out_dir / changes["pdf"] if page is not None else None
    epub = run.attempt(functools.partial(build.build_epub, page=made), manuscript, out_dir)
    seconds = time.perf_counter() - start
    status = preview.update(under_way=None, ok=not run.errors,
                            error="\n".join(run.errors) or None,
                            **({"epub": epub.name} if epub is not None else {}))
    if run.errors:
        emit(f"build {number} failed in {seconds:.2f} s; watching for the next save")
    else:
        emit(f"build {number}: {', '.join(path.name for path in page)} in "
             f"{page_seconds:.2f} s, {epub.name} in {seconds - page_seconds:.2f} s "
             f"({seconds:.2f} s in all)")
    return status


def rebuild_seconds(manuscript: Path = build.DEFAULT_MANUSCRIPT,
                    out_dir: Path = build.BUILD_DIR, runs: int = 5) -> float:
    """The median seconds of a warm rebuild of the page and its proofs (``build_page``)
    after an edit, as the watcher makes it: one process, the first build not counted.

    The edits go to a copy of the manuscript, built in a temporary folder inside
    ``out_dir`` (removed after), so neither the manuscript nor the outputs in ``out_dir``
    change. Each edit swaps two characters of the first paragraph, a different pair each
    time: the text changes, its length and characters do not, so every run sets the same
    amount of text and no run finds its page already made."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".rebuild-", dir=out_dir) as folder:
        copy = Path(folder) / Path(manuscript).name
        shutil.copytree(manuscript, copy, ignore=shutil.ignore_patterns("approved-proof*"))
        outputs = Path(folder) / "build"
        times = []
        with diagnostics(strict=False, emit=lambda warning: None, inform=lambda text: None), \
                build.warm(outputs):
            build.build_page(copy, outputs)
            for run in range(runs):
                _swap_characters(copy / "article.md", run)
                start = time.perf_counter()
                build.build_page(copy, outputs)
                times.append(time.perf_counter() - start)
    return statistics.median(times)


def _swap_characters(article: Path, run: int) -> None:
    """Swap two different Han characters side by side in the first paragraph of the body
    (outside the front matter and any ``:::`` block), a pair chosen by ``run``."""
    lines = article.read_text(encoding="utf-8").split("\n")
    fences = 0
    block = False
    for number, line in enumerate(lines):
        if fences < 2:
            fences += line.strip() == "---"
            continue
        if line.startswith(":::"):  # opens a block, or closes the open one
            block = not block
            continue
        if block or not line.strip() or line.startswith(("#", "!", "{")):
            continue
        pairs = [index for index in range(len(line) - 1)
                 if _han(line[index]) and _han(line[index + 1])
                 and line[index] != line[index + 1]]
        if pairs:
            index = pairs[run * 7 % len(pairs)]  # apart, so that no swap undoes another
            lines[number] = (line[:index] + line[index + 1] + line[index] + line[index + 2:])
            article.write_text("\n".join(lines), encoding="utf-8")
            return
    raise ValueError(f"{article}: no paragraph with two Han characters side by side")


def _han(char: str) -> bool:
    return unicodedata.name(char, "").startswith("CJK UNIFIED IDEOGRAPH")


# -- watching -----------------------------------------------------------------------

class _Inputs:
    """Which saves call for a rebuild: a file the build may read, not one of its outputs,
    a hidden file (an editor's swap file), a backup or an approved proof."""

    def __init__(self, roots: list[Path], out_dir: Path):
        self.roots = roots
        self.out_dir = out_dir.resolve()
        self.default = watchfiles.DefaultFilter()

    def __call__(self, change: watchfiles.Change, path: str) -> bool:
        if not self.default(change, path):
            return False
        path = Path(path)
        if path == self.out_dir or self.out_dir in path.parents:
            return False
        for root in self.roots:
            if root == path or root in path.parents:
                return not any(part.startswith(NOT_INPUTS)
                               for part in path.relative_to(root).parts)
        return True


def _follow(roots: list[Path], out_dir: Path, dirty: threading.Event,
            watching: threading.Event, stop: threading.Event, emit: Emit) -> None:
    """Set ``dirty`` at every save until ``stop``; ``watching`` once saves are seen."""
    said = None
    while not stop.is_set():
        try:
            # Timeouts yield an empty set: the first says the watcher is in place.
            for changes in watchfiles.watch(*roots, watch_filter=_Inputs(roots, out_dir),
                                            debounce=400, stop_event=stop, rust_timeout=500,
                                            yield_on_timeout=True, raise_interrupt=False):
                watching.set()
                if changes:
                    dirty.set()
        except Exception as error:  # noqa: BLE001 - a folder gone (a checkout): try again
            watching.set()
            if str(error) != said:
                said = str(error)
                emit(printable(f"cannot watch the manuscript ({error}); trying again"))
            stop.wait(1)


# -- the server ---------------------------------------------------------------------

@dataclass(frozen=True)
class _Reply:
    code: int
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()


_PAGE = jinja2.Environment(loader=jinja2.FileSystemLoader(PREVIEW_DIR), autoescape=True,
                           undefined=jinja2.StrictUndefined)


def _page(preview: Preview, status: Status) -> _Reply:
    nonce = secrets.token_urlsafe(16)
    proofs = [{"name": proof.name, "href": "/" + quote(proof.name), "sha256": proof.sha256,
               "alt": f"page {number} of the proof",
               "hash_id": "proof-hash" if number == 1 else f"proof-hash-{number}"}
              for number, proof in enumerate(status.proofs, 1)]
    downloads = [{"name": name, "href": "/" + quote(name)}
                 for name in (status.pdf, status.epub) if name]
    html = _PAGE.get_template("preview.html.j2").render(
        name=preview.manuscript.name, nonce=nonce, status_url=STATUS_PATH, poll_ms=POLL_MS,
        build=status.build, summary=status.summary, error=status.error or "",
        proofs=proofs, downloads=downloads)
    policy = (f"default-src 'none'; img-src 'self'; connect-src 'self'; "
              f"script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; base-uri 'none'; "
              f"form-action 'none'; frame-ancestors 'none'")
    return _Reply(200, html.encode("utf-8"), (("Content-Type", "text/html; charset=utf-8"),
                                              ("Content-Security-Policy", policy)))


def answer(preview: Preview, target: str, host: str | None, port: int) -> _Reply:
    """The reply to a GET of ``target`` (the request line's path and query)."""
    if host not in {f"{name}:{port}" for name in LOCAL_NAMES}:
        return _Reply(403, b"the preview answers to 127.0.0.1 only\n")
    path = target.partition("?")[0].partition("#")[0]
    status = preview.status
    if path == "/":
        return _page(preview, status)
    if path == STATUS_PATH:
        return _Reply(200, json.dumps(status.as_json(), ensure_ascii=False).encode("utf-8"),
                      (("Content-Type", "application/json; charset=utf-8"),))
    # Only a name this session's builds wrote, compared whole; the file's path is made
    # from the known name, never from the request.
    name = unquote(path[1:], errors="strict") if path.startswith("/") else None
    if name in status.files:
        file = preview.out_dir / name
        try:
            data = file.read_bytes()
        except OSError:  # removed since (invoke clean)
            return _Reply(404, b"not found\n")
        headers = [("Content-Type", CONTENT_TYPES[file.suffix])]
        if file.suffix == ".epub":
            headers.append(("Content-Disposition", f"attachment; filename*=UTF-8''{quote(name)}"))
        return _Reply(200, data, tuple(headers))
    return _Reply(404, b"not found\n")


class _Handler(http.server.BaseHTTPRequestHandler):
    server_version = "Pressroom-preview"
    sys_version = ""

    def do_GET(self) -> None:
        self._send(head_only=False)

    def do_HEAD(self) -> None:
        self._send(head_only=True)

    def _send(self, head_only: bool) -> None:
        try:
            reply = answer(self.server.preview, self.path, self.headers.get("Host"),
                           self.server.server_port)
        except UnicodeDecodeError:  # a %-escape that is not UTF-8 names nothing served
            reply = _Reply(404, b"not found\n")
        self.send_response(reply.code)
        headers = {"Content-Type": "text/plain; charset=utf-8", **dict(reply.headers)}
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.end_headers()
        if not head_only:
            self.wfile.write(reply.body)

    def log_message(self, format: str, *args) -> None:
        # The page polls several times a second: the terminal is for the builds.
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, preview: Preview, port: int):
        self.preview = preview
        super().__init__((HOST, port), _Handler)


def _check_host(host: str) -> None:
    if host != HOST:
        raise PressroomError(printable(f"the preview is served on {HOST} only, not on "
                                       f"{host!r}: it shows pages not yet published"),
                             hint=f"leave out --host, or pass --host {HOST}")


def _serve(preview: Preview, host: str, port: int) -> _Server:
    _check_host(host)
    try:
        return _Server(preview, port)
    except OSError as error:
        raise PressroomError(f"cannot serve the preview on {HOST}:{port}: {error.strerror}",
                             hint="pass another --port, or 0 for any free one") from None


# -- the session --------------------------------------------------------------------

def watch(manuscript: Path = build.DEFAULT_MANUSCRIPT, out_dir: Path = build.BUILD_DIR,
          host: str = HOST, port: int = 8000, emit: Emit = print,
          ready: Callable[[str], None] | None = None) -> None:
    """Build ``manuscript`` into ``out_dir``, serve its preview on ``host:port`` and
    rebuild at every save, until Ctrl-C. ``ready`` is called with the preview's address
    once the first build is done. Only a bad host or port, a manuscript folder that is
    not there, or an output folder that cannot be written, raises (a PressroomError); a failing build is reported and watched on."""
    manuscript, out_dir = Path(manuscript), Path(out_dir)
    _check_host(host)  # before anything is built
    if not manuscript.is_dir():
        raise ResourceError(f"no manuscript folder {manuscript}", code="PR301",
                            hint="pass --manuscript with a folder holding article.md")
    preview = Preview(manuscript, out_dir)
    server = _serve(preview, host, port)
    url = f"http://{HOST}:{server.server_port}/"
    roots = [manuscript.resolve(), LAYOUTS_DIR]
    stop, dirty, watching = threading.Event(), threading.Event(), threading.Event()
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                     name="pressroom-preview", daemon=True).start()
    follower = threading.Thread(target=_follow, name="pressroom-watch", daemon=True,
                                args=(roots, out_dir, dirty, watching, stop, emit))
    try:
        follower.start()
        emit(f"preview of {manuscript} at {url} (Ctrl-C stops)")
        # Watching first, then building: a save during the first build is not missed.
        watching.wait(5)
        said: set[str] = set()
        with build.warm(out_dir):
            rebuild(preview, emit, said)
            if ready is not None:
                ready(url)
            while True:
                if dirty.wait(0.5):
                    dirty.clear()
                    rebuild(preview, emit, said)
    except KeyboardInterrupt:
        emit("preview stopped")
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
        follower.join(2)
        discard_own_parts(out_dir)


def main(argv: list[str] | None = None) -> int:
    """``python3 -m pressroom.watch``: the preview of one manuscript."""
    parser = argparse.ArgumentParser(prog="python3 -m pressroom.watch",
                                     description="Rebuild a manuscript at every save and "
                                                 "show its page proof in the browser.")
    parser.add_argument("--manuscript", type=Path, default=build.DEFAULT_MANUSCRIPT,
                        help="manuscript folder (default: manuscript/boshan-report)")
    parser.add_argument("--out", type=Path, default=build.BUILD_DIR,
                        help="output folder (default: build/)")
    parser.add_argument("--port", type=int, default=8000,
                        help="port on 127.0.0.1 (default 8000; 0 for any free one)")
    parser.add_argument("--host", default=HOST, help=f"only {HOST} is allowed")
    args = parser.parse_args(argv)
    # Ctrl-C is how a preview is stopped, even when the shell that started it in the
    # background left SIGINT ignored; a stop asked by kill is a Ctrl-C too: the server
    # shut down, no half-written output.
    handlers = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        watch(args.manuscript, args.out, args.host, args.port,
              emit=lambda text: print(text, flush=True))
    except PressroomError as error:
        print(error, file=sys.stderr, flush=True)
        return error.exit_code
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)
    return 0


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
