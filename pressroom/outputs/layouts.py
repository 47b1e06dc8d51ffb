"""The shared Jinja layouts: one set of partials, two wrappers (print page, EPUB chapter).

Code here prepares a finished context; the templates in ``layouts/`` only loop and print.
A manuscript folder may hold a ``layouts/`` of its own, whose files override the
project's (a loader chain, as in Pelican themes). Its templates run in Jinja's sandbox
and may name only templates of the two folders; whatever goes wrong in one (a syntax
error, an undefined name, a missing template, a file that is not UTF-8, a template that
extends itself) is a ManuscriptError (PR160) naming the template file and line.
"""
from __future__ import annotations

import functools
import traceback
from pathlib import Path

import jinja2
import jinja2.sandbox
from jinja2 import nodes

from ..errors import Location, ManuscriptError
from ..fingerprint import code_digest
from ..output import cache_folder

from ..labels import label
from ..reading.model import Article, Figure, Paragraph, Subhead
from ..typesetting.parts import (NoteColumn, NotePiece, SetByline, SetFigure, SetHeadline,
                                 SetNote, SetParagraph, SetSubhead)
from ..typesetting.lines import Line

LAYOUTS_DIR = Path(__file__).resolve().parents[2] / "layouts"
JINJA_CACHE = LAYOUTS_DIR.parent / "build" / ".jinja"


@functools.lru_cache(maxsize=32)
def _environment(folder: Path) -> jinja2.Environment:
    # One per manuscript folder, so templates are compiled once however often they render
    # (Jinja's loaders still notice a template changed on disk); the compiled code is
    # kept beside the outputs, so the next process skips compiling too.
    return _LayoutSandbox(
        bytecode_cache=_CompiledTemplates(),
        loader=jinja2.ChoiceLoader([
            jinja2.FileSystemLoader(folder / "layouts"),
            jinja2.FileSystemLoader(LAYOUTS_DIR),
        ]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        keep_trailing_newline=True,
    )


class _CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Jinja's compiled templates beside the current build's outputs (``cache_folder``,
    looked up at each load and dump, so a warm process building into several folders
    writes each its own), in a folder named by Jinja's version and Pressroom's code: the
    environment's settings (the sandbox's rules, whitespace control) are compiled in, and
    Jinja checks only the template's source."""

    def __init__(self):
        super().__init__(str(JINJA_CACHE))

    def _get_cache_filename(self, bucket: jinja2.bccache.Bucket) -> str:
        folder = cache_folder(JINJA_CACHE.name, JINJA_CACHE) / \
            f"{jinja2.__version__}-{code_digest()[:16]}"
        return str(folder / (self.pattern % (bucket.key,)))

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            Path(self._get_cache_filename(bucket)).parent.mkdir(parents=True, exist_ok=True)
            super().dump_bytecode(bucket)
        except OSError:
            pass  # not kept: the next process compiles the template again

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except OSError:
            pass


def reader_parts(article: Article) -> dict:
    """The parts of the article as the e-book prints them, in the values the shared
    partials take on the page too: each text one whole line, no box, for the reader to
    reflow."""
    note = None
    if article.editor_note:
        pieces = tuple(NotePiece((Line.whole(p.text),), label=number == 0)
                       for number, p in enumerate(article.editor_note.paragraphs))
        note = SetNote(label(article.lang, "editor_note"), (NoteColumn(pieces),))
    blocks = []
    for block in article.blocks:
        if isinstance(block, Paragraph):
            blocks.append(SetParagraph((Line.whole(block.text),), opening=True))
        elif isinstance(block, Subhead):
            blocks.append(SetSubhead(block.lines, article.anchors[block]))
        elif isinstance(block, Figure):
            caption = block.caption + (f"\u3000{block.credit}" if block.credit else "")
            blocks.append(SetFigure(block.image, block.alt, (Line.whole(caption),)))
    byline = SetByline((Line.whole(article.byline.text),)) if article.byline else None
    kicker = Line.whole(article.kicker) if article.kicker else None
    subtitle = Line.whole(article.subtitle) if article.subtitle else None
    return {"headline": SetHeadline(kicker, article.headline, subtitle),
            "note": note, "blocks": tuple(blocks), "byline": byline}


def render(article: Article, template: str, **context) -> str:
    """Render one wrapper with a finished context."""
    return render_in(article.folder, template, article=article, **context)


def render_in(folder: Path, template: str, **context) -> str:
    """Render one wrapper as seen from ``folder`` (its own ``layouts/`` first); a fault
    of a template there is the folder's error, not a crash."""
    try:
        environment = _environment(folder)
        if (folder / "layouts").is_dir():
            _refuse_cycles(environment, template, folder / "layouts")
        return environment.get_template(template).render(**context)
    except Exception as error:  # noqa: BLE001 - a template may fail in any way Python can
        fault = _template_error(error, folder / "layouts")
        if fault is None:
            raise  # the project's own layouts failed: a bug in Pressroom
        raise fault from None


# What may stop a template that includes itself again: a loop's variable, a name set,
# what a macro is called with. A reference inside none of them is always followed.
_MAY_END = (nodes.For, nodes.With, nodes.Macro, nodes.CallBlock, nodes.Assign,
            nodes.AssignBlock, nodes.Scope)
_REFERENCES = (nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)


def _refuse_cycles(environment: jinja2.Environment, template: str, own: Path) -> None:
    """PR160 before rendering when ``template`` reaches itself again through references
    that are always followed (an override of a partial that includes the wrapper), at
    the reference of the loop that is in ``own``: rendered, such a loop would run to
    Python's recursion limit, its output passing up through every level (seconds of
    work). A template that does not parse, or is missing, is left for the render to
    report."""
    path: list[tuple[str, Path, int]] = []  # each template of the way, and its reference
    done: set[str] = set()  # templates from which no loop leads: each is read once

    def visit(name: str) -> None:
        if name in done:
            return
        done.add(name)  # (left when a loop is found: the search ends there)
        try:
            source, filename, _ = environment.loader.get_source(environment, name)
            tree = environment.parse(source, name, filename)
        except (jinja2.TemplateError, OSError, UnicodeDecodeError):
            return
        for reference, line in _followed(tree):
            path.append((name, Path(filename), line))
            names = [step[0] for step in path]
            if reference in names:
                loop = path[names.index(reference):]
                closing = next(((file, at) for _, file, at in loop
                                if file.is_relative_to(own)), None)
                if closing:  # (the project's own layouts make no loop)
                    raise _Cycle(*closing, tuple(step[0] for step in loop) + (reference,))
            else:
                visit(reference)
            path.pop()

    visit(template)


class _Cycle(Exception):
    """A loop of templates (``names``, the first again at the end), found at the
    reference ``path``:``line`` of the manuscript's own."""

    def __init__(self, path: Path, line: int, names: tuple[str, ...]):
        super().__init__(f"{path}:{line}")
        self.path, self.line, self.names = path, line, names


def _followed(tree: nodes.Node):
    """The constant names ``tree`` extends, includes or imports outside anything that
    may stop a repetition, with their lines."""
    for node in tree.iter_child_nodes():
        if isinstance(node, _MAY_END):
            continue
        if isinstance(node, _REFERENCES):
            names = node.template.items if isinstance(node.template, (nodes.List, nodes.Tuple)) \
                else [node.template]
            for item in names[:1]:  # of a list, the first that exists is taken; the first
                if isinstance(item, nodes.Const) and isinstance(item.value, str):
                    yield item.value, node.lineno
            continue
        yield from _followed(node)


def _template_error(error: BaseException, own: Path) -> ManuscriptError | None:
    """PR160 at the line of the manuscript's own template where ``error`` arose, or None
    if it arose in none of them."""
    if not own.is_dir():
        return None
    inside = lambda name: Path(name).is_relative_to(own)  # noqa: E731
    path, line = None, None
    if isinstance(error, _Cycle):
        path, line = error.path, error.line
    elif isinstance(error, jinja2.TemplateSyntaxError) and error.filename \
            and inside(error.filename):
        path, line = Path(error.filename), error.lineno
    else:
        for frame in reversed(traceback.extract_tb(error.__traceback__)):
            if inside(frame.filename):
                path, line = Path(frame.filename), frame.lineno
                break
    if path is None and not isinstance(error, (jinja2.TemplateNotFound,
                                               jinja2.TemplatesNotFound, UnicodeDecodeError)):
        return None
    if isinstance(error, _Cycle):
        problem = f"leads back to itself, without end: {' → '.join(error.names)}"
    elif isinstance(error, RecursionError):
        problem = "extends or includes itself, without end"
    elif isinstance(error, UnicodeDecodeError):
        problem = "is not UTF-8 text"
    elif isinstance(error, (jinja2.TemplateNotFound, jinja2.TemplatesNotFound)):
        problem = f"asks for a template that is in no layouts folder: {error.message}"
    elif isinstance(error, jinja2.sandbox.SecurityError):
        problem = f"does what a layout may not: {error}"
    elif isinstance(error, jinja2.TemplateError):
        problem = f"fails: {error.message or error}"
    else:
        problem = f"fails: {type(error).__name__}: {error}"
    where = Location(path, line) if path else Location(own)
    name = path.name if path else "a template"
    return ManuscriptError(f"the template {name} {problem}", where,
                           "correct the manuscript's own layouts/, or delete the file to use "
                           "the project's", code="PR160")


class _LayoutSandbox(jinja2.sandbox.SandboxedEnvironment):
    """Jinja's sandbox, with the arithmetic that can fill the memory bounded: a layout
    repeats a string or raises a number only so far."""

    intercepted_binops = frozenset({"*", "**"})
    MAX_LENGTH = 1_000_000  # characters (or items) a repeated text may reach
    MAX_EXPONENT = 100

    def call_binop(self, context, operator, left, right):
        if operator == "**" and isinstance(right, (int, float)) and abs(right) > self.MAX_EXPONENT:
            raise jinja2.sandbox.SecurityError(f"the power {right} is beyond what a layout uses")
        if operator == "*":
            for count, repeated in ((left, right), (right, left)):
                if isinstance(count, int) and isinstance(repeated, (str, list, tuple)) \
                        and count * max(len(repeated), 1) > self.MAX_LENGTH:
                    raise jinja2.sandbox.SecurityError(
                        f"repeating a text {count} times is beyond what a layout uses")
        return super().call_binop(context, operator, left, right)


def stylesheet(article: Article, name: str) -> Path:
    """The path of a stylesheet under ``css/``, the manuscript's own first."""
    return stylesheet_in(article.folder, name)


def stylesheet_in(own: Path, name: str) -> Path:
    """The path of a stylesheet under ``css/``, the one in ``own``'s layouts first."""
    for folder in (own / "layouts", LAYOUTS_DIR):
        path = folder / "css" / name
        if path.is_file():
            return path
    raise FileNotFoundError(f"stylesheet css/{name} is in no layouts folder")
