"""The live preview (``pressroom.watch``): a real watcher process, its server, and the
page as a real browser (Debian's headless Chromium, over the DevTools protocol) shows it
while the manuscript is saved, broken and mended."""
from __future__ import annotations

import hashlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from pressroom.errors import PressroomError
from pressroom.watch import _swap_characters, main, rebuild_seconds, watch

ROOT = Path(__file__).resolve().parent.parent
SHORT = ROOT / "tests" / "manuscripts" / "short"
CHROMIUM = Path("/usr/bin/chromium")
TIMEOUT = 60  # seconds; a rebuild of the short manuscript takes about one

# A paragraph's text, changed for another of the same length; and a front matter broken.
TEXT = ("不涉及任何新闻事件", "不涉及任何新闻报道")
BREAK = ("kicker: 测试样稿", "kicker: [测试样稿")


def wait_until(probe, what: str, timeout: float = TIMEOUT):
    """Call ``probe`` until it returns something true; fail naming ``what`` and the last
    value seen."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"gave up after {timeout} s waiting for {what} (last: {probe.last!r})"
                        if hasattr(probe, "last") else f"gave up waiting for {what}")
        time.sleep(0.1)


def sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


def edit(path: Path, change: tuple[str, str]) -> None:
    old, new = change
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


class Watcher:
    """``python3 -m pressroom.watch`` on a copy of a manuscript, its output read as it comes."""

    def __init__(self, manuscript: Path, out_dir: Path):
        self.manuscript, self.out_dir = manuscript, out_dir
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pressroom.watch", "--manuscript", str(manuscript),
             "--out", str(out_dir), "--port", "0"],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            encoding="utf-8", env={**os.environ, "PYTHONUNBUFFERED": "1"})
        self.out: list[str] = []
        self.err: list[str] = []
        self.readers = [threading.Thread(target=self._read, args=(stream, lines), daemon=True)
                        for stream, lines in ((self.process.stdout, self.out),
                                              (self.process.stderr, self.err))]
        for reader in self.readers:
            reader.start()
        line = wait_until(lambda: next((line for line in self.out if " at http://" in line),
                                       None) or self._dead(), "the preview's address")
        self.port = int(line.split(" at http://127.0.0.1:")[1].split("/")[0])

    @staticmethod
    def _read(stream, lines: list[str]) -> None:
        for line in stream:
            lines.append(line.rstrip("\n"))

    def _dead(self):
        if self.process.poll() is not None:
            pytest.fail(f"the watcher ended ({self.process.returncode}): {self.err}")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def get(self, target: str, host: str | None = None) -> tuple[int, dict, bytes]:
        """A GET of ``target`` exactly as written (no client normalises it)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        try:
            connection.request("GET", target, headers={"Host": host or f"127.0.0.1:{self.port}"})
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def status(self) -> dict:
        code, _, body = self.get("/status.json")
        assert code == 200
        return json.loads(body)

    def idle(self) -> bool:
        """The first build done, page and e-book, and no other under way."""
        status = self.status()
        return status["build"] >= 1 and status["under_way"] is None

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        code = self.process.wait(TIMEOUT)
        for reader in self.readers:
            reader.join(TIMEOUT)
        return code

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(TIMEOUT)
        for stream in (self.process.stdout, self.process.stderr):
            stream.close()


class Browser:
    """Headless Chromium driven over the DevTools protocol."""

    def __init__(self, profile: Path):
        import websocket

        self.process = subprocess.Popen(
            [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--no-proxy-server", f"--user-data-dir={profile}",
             "--remote-debugging-port=0", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # Port 0: Chromium picks a free port and writes it into the profile.
        active = profile / "DevToolsActivePort"
        port = wait_until(lambda: active.is_file() and active.read_text().split("\n")[0],
                          "Chromium's DevTools port")
        targets = wait_until(lambda: [target for target in self._targets(int(port))
                                      if target["type"] == "page"], "Chromium's page")
        self.socket = websocket.create_connection(targets[0]["webSocketDebuggerUrl"],
                                                  timeout=TIMEOUT, suppress_origin=True)
        self.calls = 0

    @staticmethod
    def _targets(port: int) -> list[dict]:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        try:
            connection.request("GET", "/json")
            return json.loads(connection.getresponse().read())
        except OSError:
            return []
        finally:
            connection.close()

    def call(self, method: str, **params) -> dict:
        self.calls += 1
        self.socket.send(json.dumps({"id": self.calls, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.calls:  # events in between are not ours
                assert "error" not in message, message
                return message["result"]

    def shown(self) -> dict:
        """What the preview page shows now."""
        result = self.call("Runtime.evaluate", returnByValue=True, expression="""
            JSON.stringify({
              hash: document.getElementById("proof-hash")?.textContent ?? null,
              error: document.getElementById("build-error")?.textContent ?? null,
              errorShown: !(document.getElementById("build-error")?.hidden ?? true),
              imageWidth: document.querySelector("figure.proof img")?.naturalWidth ?? 0,
              state: document.getElementById("build-state")?.textContent ?? null})""")
        return json.loads(result["result"]["value"])

    def close(self) -> None:
        self.socket.close()
        self.process.terminate()
        self.process.wait(TIMEOUT)


@pytest.fixture(scope="module")
def watcher(tmp_path_factory):
    folder = tmp_path_factory.mktemp("watch")
    manuscript = folder / "short"
    shutil.copytree(SHORT, manuscript, ignore=shutil.ignore_patterns("approved-proof*"))
    running = Watcher(manuscript, folder / "build")
    yield running
    running.kill()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium (/usr/bin/chromium) is not installed: "
                    "apt-get install chromium, as scripts/install.sh does")
    running = Browser(tmp_path_factory.mktemp("chromium"))
    yield running
    running.close()


def test_the_page_follows_saves(watcher, browser):
    article = watcher.manuscript / "article.md"
    proof = watcher.out_dir / "short.png"
    first = wait_until(lambda: watcher.status()["build"] >= 1 and watcher.status(),
                       "the first build")
    assert first["state"] == "ok", first
    browser.call("Page.navigate", url=watcher.url)

    def shows_the_proof_on_disk():
        shows_the_proof_on_disk.last = shown = browser.shown()
        return shown["hash"] == sha256(proof) and shown["imageWidth"] > 0 and shown

    before = wait_until(shows_the_proof_on_disk, "the first proof on the page")
    assert not before["errorShown"]

    # A save of a paragraph: the page shows the new proof, hashed as it is on disk.
    edit(article, TEXT)
    after = wait_until(lambda: shows_the_proof_on_disk() and
                       shows_the_proof_on_disk.last["hash"] != before["hash"] and
                       shows_the_proof_on_disk.last, "the edited proof on the page")
    assert not after["errorShown"]

    # A save that breaks the front matter: the error is on the page, the proof stays.
    edit(article, BREAK)

    def shows_the_error():
        shows_the_error.last = shown = browser.shown()
        return shown["errorShown"] and shown

    broken = wait_until(shows_the_error, "the error on the page")
    assert "article.md:7" in broken["error"] and "PR102" in broken["error"], broken
    assert "expected ',' or ']'" in broken["error"]  # escaped for HTML, shown as written
    assert broken["hash"] == after["hash"] == sha256(proof)  # the failed build wrote nothing
    assert "failed" in broken["state"]
    assert any("PR102" in line for line in watcher.out)
    # The page as the server renders it afresh (Jinja) shows the same.
    browser.call("Page.navigate", url=watcher.url)
    reloaded = wait_until(shows_the_error, "the error on a fresh page")
    assert reloaded["error"] == broken["error"]

    # Mended: the error goes, the proof of the mended text is shown.
    failed = watcher.status()["build"]
    edit(article, BREAK[::-1])
    mended = wait_until(lambda: watcher.status()["build"] > failed and
                        not shows_the_error() and shows_the_proof_on_disk(),
                        "the page after the mend")
    assert mended["hash"] == after["hash"]  # the same text as before the break, the same page
    assert watcher.status()["state"] == "ok"
    assert watcher.process.poll() is None


def test_serves_only_the_outputs(watcher):
    wait_until(watcher.idle, "the first build, page and e-book")
    out = watcher.out_dir
    for target, kind, path in [("/short.png", "image/png", out / "short.png"),
                               ("/short.png?build=7", "image/png", out / "short.png"),
                               ("/short.pdf", "application/pdf", out / "short.pdf"),
                               ("/short.epub", "application/epub+zip", out / "short.epub")]:
        code, headers, body = watcher.get(target)
        assert (code, headers["Content-Type"]) == (200, kind), target
        assert body == path.read_bytes()
    code, headers, body = watcher.get("/")
    assert code == 200 and b'id="proof-hash"' in body
    assert "script-src 'nonce-" in headers["Content-Security-Policy"]

    # Files of the output folder the session did not write as outputs, a stale page's
    # proof among them, and the project's files by any spelling of a path out.
    (out / "notes.txt").write_text("not an output")
    shutil.copy(out / "short.png", out / "short-2.png")
    absolute = str(ROOT / "pyproject.toml")
    for target in ["/../pyproject.toml", "/%2e%2e/pyproject.toml", "/%2E%2E%2Fpyproject.toml",
                   "/..%2f..%2fpyproject.toml", "/.%2e/.%2e/pyproject.toml", "/" + absolute,
                   "/" + absolute.replace("/", "%2F"), "/./short.png",
                   "/short.png/", "/short.png%00", "/SHORT.PNG", "/%ff", "/notes.txt",
                   "/short-2.png", "/short", "/short/article.md", "/build/short.png",
                   "/.tmp", "/index.html", "/preview.html.j2", "http://127.0.0.1/short.png"]:
        code, _, body = watcher.get(target)
        assert code == 404, target
        assert b"tool.setuptools" not in body
    # A page that reached the server under another name (DNS rebinding) gets nothing.
    code, _, body = watcher.get("/short.png", host=f"preview.example:{watcher.port}")
    assert code == 403 and not body.startswith(b"\x89PNG")


def test_listens_on_loopback_only(watcher):
    listening = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for row in Path(table).read_text().splitlines()[1:]:
            local, state = row.split()[1], row.split()[3]
            address, port = local.split(":")
            if int(port, 16) == watcher.port and state == "0A":  # LISTEN
                listening.append(address)
    assert listening == ["0100007F"]  # 127.0.0.1, and no IPv6 socket
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.2", watcher.port), timeout=TIMEOUT).close()


def test_other_hosts_are_refused(tmp_path, capsys):
    for host in ("0.0.0.0", "::", "localhost", "192.168.1.10"):
        with pytest.raises(PressroomError, match="127.0.0.1 only"):
            watch(SHORT, tmp_path / "out", host=host, port=0)
    assert main(["--manuscript", str(SHORT), "--out", str(tmp_path / "out"),
                 "--host", "0.0.0.0", "--port", "0"]) == 1
    assert "served on 127.0.0.1 only" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()  # refused before anything was built


def test_rebuild_seconds(tmp_path):
    copy = tmp_path / "short"
    shutil.copytree(SHORT, copy)
    text = (copy / "article.md").read_text(encoding="utf-8")
    _swap_characters(copy / "article.md", 0)
    swapped = (copy / "article.md").read_text(encoding="utf-8")
    assert swapped != text and sorted(swapped) == sorted(text)
    before = sorted(path.name for path in (tmp_path / "out").glob("*"))
    seconds = rebuild_seconds(SHORT, tmp_path / "out", runs=1)
    assert 0 < seconds < TIMEOUT
    # The manuscript is as it was, and the builds left nothing behind.
    assert (SHORT / "article.md").read_text(encoding="utf-8") == text
    assert [path.name for path in (tmp_path / "out").iterdir()] == before


def test_a_rebuild_sets_the_page_once_the_e_book_taking_its_cover_from_it(tmp_path,
                                                                            monkeypatch):
    """The page, its proof, then the e-book, whose cover is drawn from the PDF just made:
    one setting of the page a save (two before, the e-book's cover setting it again)."""
    from pressroom import build
    from pressroom.watch import Preview, rebuild

    copy = tmp_path / "short"
    shutil.copytree(SHORT, copy, ignore=shutil.ignore_patterns("approved-proof*"))
    from pressroom.outputs import pdf

    set_pages = []
    set_page = build.set_page
    # The page is set here (rendered in this warm process) or for a renderer beside it.
    for module in (build, pdf):
        monkeypatch.setattr(module, "set_page",
                            lambda *args, **kwargs: set_pages.append(1) or set_page(*args, **kwargs))
    preview = Preview(copy, tmp_path / "out")
    lines = []
    status = rebuild(preview, emit=lines.append)
    assert status.ok and status.epub == "short.epub", lines
    assert len(set_pages) == 1, lines
    assert (tmp_path / "out" / "short.epub").is_file()


def test_ctrl_c_stops_cleanly(watcher):
    # A save, and Ctrl-C as soon as its rebuild is under way (if the rebuild is quicker
    # than the poll, the stop finds the watcher idle: it must be clean either way).
    wait_until(watcher.idle, "an idle watcher")
    build = watcher.status()["build"]
    _swap_characters(watcher.manuscript / "article.md", 3)
    wait_until(lambda: watcher.status()["under_way"] or watcher.status()["build"] > build,
               "the rebuild")
    assert watcher.stop() == 0
    assert "Traceback" not in "\n".join(watcher.err), watcher.err
    assert watcher.out[-1] == "preview stopped"
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", watcher.port), timeout=TIMEOUT).close()
    # Nothing half-written: no temporary file, no scratch folder of the stopped process.
    leftovers = [path for path in watcher.out_dir.rglob("*")
                 if path.name.endswith(".part") or path.parent.name == ".tmp"]
    assert not leftovers


def test_warm_builds_share_one_font_configuration_and_make_the_cold_bytes(tmp_path,
                                                                          monkeypatch):
    """Inside ``build.warm`` the faces are loaded once for the session; the page after an
    edit is still the same bytes as a build in a cold renderer makes of that text."""
    from pressroom import build
    from pressroom.errors import diagnostics
    from pressroom.outputs import pdf

    copy = tmp_path / "short"
    shutil.copytree(SHORT, copy, ignore=shutil.ignore_patterns("approved-proof*"))
    out = tmp_path / "out"
    configs = []
    font_config = pdf._font_config
    monkeypatch.setattr(pdf, "_font_config",
                        lambda article: configs.append(font_config(article)) or configs[-1])
    with diagnostics(strict=False, emit=lambda warning: None, inform=lambda text: None):
        with build.warm(out):
            build.build_page(copy, out)
            _swap_characters(copy / "article.md", 0)
            build.build_page(copy, out)
        warm = (out / "short.pdf").read_bytes()
        cold = build.page_of(build.prepare(copy))
    assert len(configs) == 3
    assert configs[0] is configs[1]  # the session's
    assert configs[2] is not configs[1]  # outside the block: the page's own
    assert warm == cold
    assert not (out / ".tmp").exists()  # the session's scratch folder, faces and all, gone
