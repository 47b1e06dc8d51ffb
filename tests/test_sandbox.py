"""No network, no escape: nothing a manuscript names reaches a server or a file outside
the manuscript's folder, layouts/ and fonts/.

A local HTTP server records every connection made to it; manuscripts point at it from a
figure and from a layout override (so that WeasyPrint's fetcher itself is asked), and at a
secret file outside the tree; an audit hook records every file Python opens meanwhile.
"""
from __future__ import annotations

import http.server
import os
import shutil
import sys
import tempfile
import threading
import urllib.request
from pathlib import Path

import pytest

import pdfinfo
from conftest import DEFAULT, output_names
from pressroom import build
from pressroom import fonts
from pressroom.errors import ManuscriptError, PressroomError, ResourceError
from pressroom.outputs.layouts import LAYOUTS_DIR
from pressroom.outputs.roots import Roots
from pressroom.outputs.sandbox import SandboxFetcher, SandboxRefusal

PRINT_CSS = (LAYOUTS_DIR / "css" / "print.css").read_text(encoding="utf-8")


class _Recorder(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.connections: list[tuple[str, int]] = []
        self.requests: list[str] = []

    def verify_request(self, request, client_address):
        self.connections.append(client_address)  # any connection, request or not
        return True


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.server.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { color: red }")

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    """A server on 127.0.0.1 that records what reaches it; it stops itself after a minute
    whatever happens to the test."""
    recorder = _Recorder()
    thread = threading.Thread(target=recorder.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    deadline = threading.Timer(60, recorder.shutdown)
    deadline.daemon = True
    deadline.start()
    # The recorder works: a request made on purpose arrives, and is then forgotten.
    with urllib.request.urlopen(f"http://127.0.0.1:{recorder.server_port}/self-check",
                                timeout=5) as response:
        assert response.status == 200
    assert recorder.requests == ["/self-check"] and len(recorder.connections) == 1
    recorder.requests.clear()
    recorder.connections.clear()
    try:
        yield recorder
    finally:
        deadline.cancel()
        recorder.shutdown()
        recorder.server_close()
        thread.join(timeout=5)


class _Opened:
    """Every path Python opens while ``recording`` is set (an audit hook cannot be removed,
    so one hook serves the whole session)."""

    def __init__(self):
        self.recording = False
        self.paths: list[str] = []

    def __call__(self, event, args):
        if self.recording and event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
            self.paths.append(os.fsdecode(args[0]))


_OPENED = _Opened()
sys.addaudithook(_OPENED)


@pytest.fixture
def opened():
    _OPENED.paths = []
    _OPENED.recording = True
    try:
        yield _OPENED.paths
    finally:
        _OPENED.recording = False


def _reads_of(paths: list[str], target: Path) -> list[str]:
    target = target.resolve()
    return [path for path in paths if Path(path).resolve() == target]


@pytest.fixture
def secret(tmp_path) -> Path:
    """A file outside every allowed folder, which nothing may read."""
    path = tmp_path / "secret" / "passwords.css"
    path.parent.mkdir()
    path.write_text("body { color: red } /* secret */", encoding="utf-8")
    return path


def _page_with_print_css(tmp_path: Path, css: str) -> Path:
    """The default manuscript (which fits its page, so that rendering is reached) with a
    layout override of its own: the project's print.css after ``css``."""
    folder = tmp_path / "override"
    shutil.copytree(DEFAULT, folder, ignore=shutil.ignore_patterns("*.png"))
    (folder / "layouts" / "css").mkdir(parents=True)
    (folder / "layouts" / "css" / "print.css").write_text(css + "\n" + PRINT_CSS, encoding="utf-8")
    return folder


# -- a figure pointing at the server ------------------------------------------------------

@pytest.mark.parametrize("scheme", ["http", "https"])
def test_a_figure_at_a_local_server_is_refused_and_no_request_arrives(server, write_manuscript,
                                                                     tmp_path, scheme):
    url = f"{scheme}://127.0.0.1:{server.server_port}/x.jpg"
    folder = write_manuscript(f"---\ntitle: 标题\n---\n\n正文。\n\n::: figure\n![照片]({url})\n\n"
                              "说明。\n:::\n")
    for maker in (build.build_pdf, build.build_epub, build.build_all):
        with pytest.raises(ResourceError) as caught:
            maker(folder, tmp_path / "out")
        assert caught.value.code == "PR302" and caught.value.where.line == 7
        assert url in str(caught.value)
    assert server.connections == [] and server.requests == []
    assert not (tmp_path / "out").exists()


# -- the renderer's fetcher, asked by a layout override ----------------------------------

OVERRIDES = {
    "import": ("@import url(http://127.0.0.1:{port}/a.css);", 1),
    "background": (".masthead {{ background: url(\"http://127.0.0.1:{port}/b.png\") }}", 1),
    "font": ("@font-face {{ font-family: X; src: url(https://127.0.0.1:{port}/f.woff2) }}\n"
             ".masthead {{ font-family: X }}", 1),
    "other-host-file": (".masthead {{ background: url(file://127.0.0.1:{port}/etc/hostname) }}", 1),
}


@pytest.mark.parametrize("kind", OVERRIDES)
def test_a_layout_asking_the_renderer_for_a_url_fails_and_connects_nowhere(server, tmp_path, kind):
    css, line = OVERRIDES[kind]
    folder = _page_with_print_css(tmp_path, css.format(port=server.server_port))
    out = tmp_path / "out"
    out.mkdir()
    (out / "override.pdf").write_bytes(b"previous")
    for maker in (build.build_pdf, build.build_epub):
        # Refused when the manuscript is read, before anything renders (PR161).
        with pytest.raises(ManuscriptError) as caught:
            maker(folder, out)
        error = caught.value
        assert error.code == "PR161", str(error)
        assert str(error.where.path).endswith("layouts/css/print.css") and error.where.line == line
        assert f"127.0.0.1:{server.server_port}" in str(error)
    assert server.connections == [] and server.requests == []
    assert (out / "override.pdf").read_bytes() == b"previous"
    assert output_names(out) == ["override.pdf"]


@pytest.mark.parametrize("reference", ["absolute", "file-url", "dotdot"])
def test_a_layout_reaching_for_a_file_outside_the_tree_reads_nothing(tmp_path, secret, opened,
                                                                    reference):
    folder_css = tmp_path / "override" / "layouts" / "css"
    url = {"absolute": str(secret), "file-url": secret.as_uri(),
           "dotdot": os.path.relpath(secret, folder_css)}[reference]
    folder = _page_with_print_css(tmp_path, f'@import url("{url}");')
    with pytest.raises(ManuscriptError) as caught:
        build.build_pdf(folder, tmp_path / "out")
    assert caught.value.code == "PR161" and caught.value.where.line == 1
    assert _reads_of(opened, secret) == []


def test_symlinks_out_of_the_tree_are_refused_before_anything_is_read(tmp_path, secret, opened):
    folder = tmp_path / "linked"
    shutil.copytree(DEFAULT, folder, ignore=shutil.ignore_patterns("*.png"))
    (folder / "layouts" / "css").mkdir(parents=True)
    os.symlink(secret, folder / "layouts" / "css" / "print.css")
    os.symlink(secret, folder / "secret.jpg")
    text = (folder / "article.md").read_text(encoding="utf-8")
    (folder / "article.md").write_text(text.replace("(opening-ceremony.jpg)", "(secret.jpg)"),
                                       encoding="utf-8")
    with pytest.raises(PressroomError) as caught:
        build.build_pdf(folder, tmp_path / "out")
    assert {error.code for error in getattr(caught.value, "errors", [caught.value])} == {"PR303"}
    assert len(str(caught.value).splitlines()) == 2  # the photo and the layout file
    assert _reads_of(opened, secret) == []


def test_the_default_build_reads_only_inside_the_tree(tmp_path, opened):
    """Every file the build opens for the page is the manuscript's, a layout, a font, or
    the output; anything else opened is the Python installation's own (lazy imports)."""
    out = tmp_path / "out"
    pdf = build.build_pdf(DEFAULT, out)
    allowed = [DEFAULT.resolve(), LAYOUTS_DIR.resolve(), fonts.FONTS_DIR.resolve(),
               out.resolve()]
    system = [Path(p).resolve() for p in {sys.prefix, sys.base_prefix, sys.exec_prefix}]
    # Names relative to a folder handle are shutil.rmtree clearing the build's scratch
    # folder (out/.tmp/<pid>), which it opens by handle.
    outside = [path for path in opened if os.path.isabs(path)
               and not any(Path(path).resolve().is_relative_to(root) for root in allowed + system)
               and not path.startswith(("/dev/", "/proc/", "/sys/"))]
    # WeasyPrint hands the fonts it fetched (through the sandbox) to fontconfig as
    # temporary files of its own; nothing else is opened.
    scratch = Path(tempfile.gettempdir()).resolve()

    def weasyprints_own(path: str) -> bool:
        resolved = Path(path).resolve()
        return resolved.is_relative_to(scratch) and \
            resolved.relative_to(scratch).parts[0].startswith("weasyprint-")

    assert [path for path in outside if not weasyprints_own(path)] == []
    assert _reads_of(opened, DEFAULT / "opening-ceremony.jpg")  # the hook does see reads
    assert pdfinfo.page_count(pdf) == 1


# -- the fetcher on its own ---------------------------------------------------------------

def test_the_fetcher_serves_files_inside_its_roots_and_refuses_the_rest(tmp_path, secret, server):
    root = tmp_path / "root"
    (root / "css").mkdir(parents=True)
    (root / "css" / "a.css").write_text("p { color: black }", encoding="utf-8")
    os.symlink(secret, root / "css" / "link.css")
    roots = Roots.of({"root": root})
    fetcher = SandboxFetcher(roots)

    # The renderer asks by a name free of the checkout's path, and gets the file.
    assert roots.url(root / "css" / "a.css") == "file:///pressroom/root/css/a.css"
    response = fetcher.fetch(roots.url(root / "css" / "a.css"))
    assert response.read() == b"p { color: black }" and response.content_type == "text/css"

    port = server.server_port
    refused = [f"http://127.0.0.1:{port}/a.css", f"https://127.0.0.1:{port}/a.css",
               f"ftp://127.0.0.1:{port}/a.css", "data:text/css,p{}",
               secret.as_uri(), (root / "css" / "a.css").as_uri(),  # real paths: never
               roots.url(root / "css" / "link.css"),  # a symlink out of the root
               "file:///pressroom/root/css/../../secret/passwords.css",
               "file:///pressroom/elsewhere/passwords.css",
               "file://127.0.0.1/pressroom/root/css/a.css", "file:///etc/passwd"]
    for url in refused:
        with pytest.raises(SandboxRefusal):
            fetcher.fetch(url)
    assert fetcher.refused == refused
    assert server.connections == [] and server.requests == []
