"""The EPUB back end: one article, or a whole edition, as a reflowable EPUB 3 book.

This module owns the packaging of the e-book, everything but its words and their markup,
which come from the same article model and Jinja partials as the printed page
(``layouts/chapter.html.j2``). Here are made: the package metadata (with EPUB
Accessibility 1.1), the chapter, cover and navigation documents, the reader stylesheet
(``layouts/css/epub.css``) plus the ``@font-face`` rules for the embedded font subsets,
the images (each photo converted for screens by ``photos.ebook_photo``), Apple Books'
display options, and a byte-reproducible ZIP.

Two books are made from the same parts: ``render_epub``, one article in one chapter, and
``render_edition_epub``, an edition's stories (``EditionBook``), one chapter each, in the
order of the pages they were printed on, with a table of contents grouped by page.

ebooklib 0.20 does the OPF, nav and NCX; its traps (see ``design/EPUB.md``) are worked
around where they bite, each with a comment. Both renderers return bytes and write no
file: the caller writes them atomically.
"""
from __future__ import annotations

import datetime
import io
import re
import stat
import uuid
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import cssselect2
import tinycss2
from ebooklib import epub
from lxml import etree
from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError

from .. import photos
from ..faces import WEIGHTS, Typefaces, ebook_subsets
from ..fonts import HEI, KAI, SONG
from ..labels import label
from ..typesetting.texts import article_faces
from ..dates import source_date
from ..errors import BuildError, Location, ResourceError
from .layouts import reader_parts, render, stylesheet
from ..reading.model import Article

CHAPTER_FILE = "chapter.xhtml"
COVER_FILE = "cover.xhtml"
NAV_FILE = "nav.xhtml"
FONTS_CSS_ID = "css-fonts"  # the one fonts.css, which every document of a book links
DISPLAY_OPTIONS_FILE = "META-INF/com.apple.ibooks.display-options.xml"

# Every label a reader sees that is not the article's own text.

# dcterms:modified when neither SOURCE_DATE_EPOCH nor the article's date is set: a
# constant keeps undated builds reproducible (a file's mtime differs between clones).
# It is the earliest time a ZIP entry can carry.
FALLBACK_MODIFIED = datetime.datetime(1980, 1, 1, tzinfo=datetime.timezone.utc)

ACCESSIBILITY = (
    ("schema:accessMode", "textual"),
    ("schema:accessMode", "visual"),
    ("schema:accessModeSufficient", "textual"),
    ("schema:accessibilityFeature", "structuralNavigation"),
    ("schema:accessibilityFeature", "alternativeText"),
    ("schema:accessibilityFeature", "displayTransformability"),
    ("schema:accessibilityFeature", "tableOfContents"),
    ("schema:accessibilityFeature", "readingOrder"),
    ("schema:accessibilityHazard", "none"),
    ("schema:accessibilitySummary", None),  # the book's own, in its script (labels.py)
    ("dcterms:conformsTo", "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"),
)
DISPLAY_OPTIONS = b"""<?xml version="1.0" encoding="UTF-8"?>
<display_options>
  <platform name="*">
    <option name="specified-fonts">true</option>
  </platform>
</display_options>
"""

IMAGE_FORMATS = {  # Pillow's format name -> media type and file extension
    "JPEG": ("image/jpeg", ".jpg"),
    "PNG": ("image/png", ".png"),
    "GIF": ("image/gif", ".gif"),
    "WEBP": ("image/webp", ".webp"),
}
FONT_FORMATS = {  # the first four bytes of a font file -> media type, extension, CSS format
    b"OTTO": ("font/otf", ".otf", "opentype"),
    b"\x00\x01\x00\x00": ("font/ttf", ".ttf", "truetype"),
    b"true": ("font/ttf", ".ttf", "truetype"),
    b"wOF2": ("font/woff2", ".woff2", "woff2"),
    b"wOFF": ("font/woff", ".woff", "woff"),
}

XHTML = "http://www.w3.org/1999/xhtml"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


# The page's view, as ``outputs.proof.cover_jpeg`` draws it: the format of a cover given later.
PAGE_VIEW_FORMAT = IMAGE_FORMATS["JPEG"]


def render_epub(article: Article, cover: bytes | Callable[[], bytes] | None = None) -> bytes:
    """The finished EPUB 3 of ``article``; ``cover`` (a view of the printed page) is its
    cover: its bytes, or what gives them, asked for only once the rest of the book is
    made (a build sets the page meanwhile, ``pressroom.beside``); a title card without."""
    creators = article.byline.creators if article.byline else ()
    book = new_book(identifier(article), article.title, article.lang, creators,
                    article.publication, article.date)
    add_accessibility_metadata(book, label(article.lang, "article_summary"))
    styles = add_stylesheets(book, article)
    image_urls = add_images(book, article)
    chosen = article_faces(article)
    lang = article.lang
    if cover is not None:
        alt = (f"{article.publication or label(lang, 'newspaper')}{label(lang, 'page_view')}："
               f"{article.title}")
    else:
        cover = draw_cover(article.headline, article.kicker, article.publication, chosen)
        alt = f"{label(lang, 'cover')}：{article.title}"
    cover_page = add_cover(book, article, cover, alt, styles)
    chapter = add_chapter(book, "chapter", CHAPTER_FILE, article, image_urls, styles)
    nav = add_navigation(book, article_contents(article), cover_page, [chapter], styles)
    add_fonts(book, styles[0], [cover_page, nav, chapter], chosen)
    add_display_options(book)
    modified = modified_time(article.date)
    # The cover's view is asked for last, once the rest of the book is packed.
    return reproducible_zip(package(book, Location(article.source), modified), modified,
                            last=cover_entry(book, cover))


# -- the edition --------------------------------------------------------------------------

@dataclass(frozen=True)
class EditionPage:
    """One printed page (版) as the e-book's contents list groups it."""

    label: str  # 第1版
    section: str | None  # 版名: 要闻
    # In the page's reading order. A story that jumped here from an earlier page (上接) is
    # not repeated: its chapter stands under the page it started on, whole.
    stories: tuple[Article, ...]

    @property
    def heading(self) -> str:
        """The page's entry in the contents: 第1版 要闻."""
        return f"{self.label} {self.section}" if self.section else self.label


@dataclass(frozen=True)
class EditionBook:
    """An edition as one e-book: its stories, page by page."""

    name: str  # the edition's name (its plan's file stem): build/<name>.epub
    title: str  # 示例日报 2026年12月1日
    publication: str
    date: datetime.date | None
    lang: str
    identifier: str | None  # None: one derived from publication, date and name
    pages: tuple[EditionPage, ...]

    @property
    def stories(self) -> tuple[Article, ...]:
        return tuple(story for page in self.pages for story in page.stories)


def render_edition_epub(book: EditionBook, cover: bytes | None = None) -> bytes:
    """The finished EPUB 3 of an edition: a cover (``cover``, a view of the front page,
    or a drawn title card), then one chapter per story in page order, each story whole
    (its ``Article``, even where the printed story jumped to another page)."""
    stories = book.stories
    if not stories:
        raise BuildError(f"the edition '{book.name}' has no story to make an e-book of")
    sources = [story.source for story in stories]
    twice = next((source for source in sources if sources.count(source) > 1), None)
    if twice is not None:
        # A jumped story belongs to the page it starts on only: two chapters of it would
        # put the same text twice in the book.
        raise BuildError(f"the story {twice} stands on more than one page of the edition "
                         f"'{book.name}'", hint="list a jumped story only on its first page")
    epub_book = new_book(edition_identifier(book), book.title, book.lang, (book.publication,),
                         book.publication, book.date)
    add_accessibility_metadata(epub_book, label(book.lang, "edition_summary"))
    # The first story, the front page's lead (头条), stands for the edition where one set of
    # layouts is needed: the cover's and the contents' template and stylesheets.
    lead = stories[0]
    stylesheets: dict[Path, epub.EpubItem] = {}
    styles = {story.source: add_stylesheets(epub_book, story, stylesheets) for story in stories}
    image_urls: dict[Path, str] = {}
    uids = {}
    for page_number, page in enumerate(book.pages, 1):
        for story_number, story in enumerate(page.stories, 1):
            uids[story.source] = uid = f"page-{page_number}-story-{story_number}"
            add_images(epub_book, story, image_urls, uid_prefix=f"{uid}-")
    chosen = article_faces(lead)  # the edition's: every story carries them
    if cover is not None:
        front = book.pages[0]
        alt = f"{book.publication}{front.label}{label(book.lang, 'page_view')}" + (
            f"：{front.stories[0].title}" if front.stories else "")
    else:
        cover = draw_cover((book.title,), None, book.publication, chosen)
        alt = f"{label(book.lang, 'cover')}：{book.title}"
    cover_page = add_cover(epub_book, lead, cover, alt, styles[lead.source])
    chapters = {story.source: add_chapter(epub_book, uids[story.source],
                                          f"{uids[story.source]}.xhtml", story, image_urls,
                                          styles[story.source])
                for story in stories}
    nav = add_navigation(epub_book, edition_contents(book, chapters), cover_page,
                         list(chapters.values()), styles[lead.source])
    add_fonts(epub_book, styles[lead.source][0], [cover_page, nav, *chapters.values()], chosen)
    add_display_options(epub_book)
    modified = modified_time(book.date)
    return reproducible_zip(package(epub_book, None, modified), modified,
                            last=cover_entry(epub_book, cover))


# -- metadata -----------------------------------------------------------------------------

def new_book(book_id: str, title: str, lang: str, creators: tuple[str, ...],
             publisher: str | None, date: datetime.date | None) -> epub.EpubBook:
    book = epub.EpubBook()
    book.IDENTIFIER_ID = "pub-id"
    # ebooklib's default is a random uuid4: a new book on every build.
    book.set_identifier(book_id)
    book.set_title(title)
    book.set_language(lang)
    for number, name in enumerate(creators, 1):
        # One id each: ebooklib gives every creator the same id unless told otherwise.
        book.add_author(name, role="aut", uid=f"creator-{number}")
    if publisher:
        book.add_metadata("DC", "publisher", publisher)
    if date:
        book.add_metadata("DC", "date", date.isoformat())
    return book


def identifier(article: Article) -> str:
    """``urn:uuid:`` + a uuid5 of the article's identifier, or of its slug: same input, same id."""
    return _urn_uuid(article.identifier or f"pressroom:{article.slug}")


def edition_identifier(book: EditionBook) -> str:
    """The edition's identifier as a ``urn:uuid:``, or one derived from its publication,
    date and name: the same edition gets the same id on every build, and the 1 December
    issue of a paper is never the same book as the 2 December one."""
    date = book.date.isoformat() if book.date else "undated"
    return _urn_uuid(book.identifier or f"pressroom:edition:{book.publication}:{date}:{book.name}")


def _urn_uuid(name: str) -> str:
    if name.lower().startswith("urn:uuid:"):
        try:
            return f"urn:uuid:{uuid.UUID(name[9:])}"
        except ValueError:
            pass
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


def add_accessibility_metadata(book: epub.EpubBook, summary: str) -> None:
    """The accessibility metadata; ``summary`` says what the book is, in its script. An
    edition's says what its contents list does: pages and stories, not sections."""
    for prop, value in ACCESSIBILITY:
        book.add_metadata(None, "meta", value or summary, {"property": prop})


def modified_time(date: datetime.date | None) -> datetime.datetime:
    """dcterms:modified, in UTC: SOURCE_DATE_EPOCH, else the issue date, else a constant."""
    given = source_date()
    if given:
        return given
    if date:
        return datetime.datetime.combine(date, datetime.time(), datetime.timezone.utc)
    return FALLBACK_MODIFIED


# -- content ------------------------------------------------------------------------------

def add_stylesheets(book: epub.EpubBook, article: Article,
                    added: dict[Path, epub.EpubItem] | None = None) -> list[epub.EpubItem]:
    """fonts.css (filled in by ``add_fonts``), then the shared and the reader stylesheet.

    ``added``: the stylesheets already in the book, by the file they were read from, which
    is added to. Stories of one edition share a stylesheet file where their layouts do;
    one whose manuscript overrides it gets its own copy; all share the one fonts.css.
    """
    added = {} if added is None else added
    fonts_css = book.get_item_with_id(FONTS_CSS_ID) or book.add_item(
        epub.EpubItem(uid=FONTS_CSS_ID, file_name="css/fonts.css", media_type="text/css"))
    styles = [fonts_css]
    for name in ("shared.css", "epub.css"):
        path = stylesheet(article, name)
        if path not in added:
            file_name = unique_name(book, "css/", Path(name).stem, ".css")
            added[path] = book.add_item(epub.EpubItem(
                uid=f"css-{Path(file_name).stem}", file_name=file_name, media_type="text/css",
                content=path.read_bytes()))
        styles.append(added[path])
    return styles


def add_images(book: epub.EpubBook, article: Article, urls: dict[Path, str] | None = None,
               uid_prefix: str = "") -> dict[Path, str]:
    """Each figure's image, as the e-book shows it (``photos.ebook_photo``: turned, sRGB,
    8 bits, no EXIF, GPS or XMP; an MPO's first picture as a JPEG), under an ASCII name
    whose extension is that of the converted bytes; returns the urls.

    ``urls``: the images of stories already in the book, which are added to; a name two
    stories share (photo-1.jpg) is numbered apart, a file they share is added once.
    """
    urls = {} if urls is None else urls
    for number, figure in enumerate(article.figures, 1):
        if figure.image in urls:
            continue
        data = figure_image(figure.image, figure.where)
        media_type, extension = image_format(data, f"image '{figure.image.name}'", figure.where)
        name = unique_name(book, "images/", ascii_stem(figure.image.stem) or f"figure-{number}",
                           extension)
        book.add_item(epub.EpubImage(uid=f"{uid_prefix}image-{number}", file_name=name,
                                     media_type=media_type, content=data))
        urls[figure.image] = name
    return urls


PHOTO_HINTS = {"PR306": "save the picture again as JPEG or PNG",
               "PR307": "save the picture again as JPEG or PNG",
               "PR308": "scale the photo down; 3000 pixels across is plenty for print"}


def figure_image(path: Path, where: Location | None) -> bytes:
    """A figure's photo converted for the e-book; a photo that cannot be used is the
    user's to fix, named with the figure's line."""
    try:
        return photos.ebook_photo(path)[0]
    except photos.PhotoFault as fault:
        raise ResourceError(f"image '{path.name}' {fault.reason}", where,
                            PHOTO_HINTS.get(fault.code), code=fault.code) from None
    except OSError as error:
        reason = "permission denied" if isinstance(error, PermissionError) \
            else (error.strerror or type(error).__name__).lower()
        raise ResourceError(f"image '{path.name}' cannot be read: {reason}", where,
                            code="PR305") from None


def image_format(data: bytes, what: str, where: Location | None) -> tuple[str, str]:
    """Media type and extension from the image's bytes: a PNG saved as .jpg is still a PNG."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        kind = None
    if kind not in IMAGE_FORMATS:
        # A manuscript's picture is the user's to fix; a bad cover is the caller's fault.
        error = ResourceError if where else BuildError
        problem = "is not a readable JPEG, PNG, GIF or WebP image" if data else "is empty"
        raise error(f"{what} {problem}", where, "save the picture as JPEG or PNG")
    return IMAGE_FORMATS[kind]


def ascii_stem(stem: str) -> str:
    # Reading systems and ZIP tools disagree on non-ASCII names: keep only safe characters.
    return re.sub(r"-{2,}", "-", re.sub(r"[^A-Za-z0-9_-]", "-", stem)).strip("-_").lower()


def unique_name(book: epub.EpubBook, folder: str, stem: str, extension: str) -> str:
    taken = {item.file_name for item in book.get_items()}
    name, number = f"{folder}{stem}{extension}", 1
    while name in taken:
        number += 1
        name = f"{folder}{stem}-{number}{extension}"
    return name


def document(uid: str, file_name: str, title: str, lang: str, body: str,
             styles: list[epub.EpubItem]) -> epub.EpubHtml:
    # A body fragment, as bytes: ebooklib rebuilds <head> itself and drops whatever head
    # it is given, and a whole document passed as str fails with "Document is empty".
    item = epub.EpubHtml(uid=uid, file_name=file_name, title=title, lang=lang,
                         content=body.encode("utf-8"))
    item.add_meta(charset="utf-8")
    for style in styles:
        item.add_item(style)
    return item


def add_chapter(book: epub.EpubBook, uid: str, file_name: str, article: Article,
                image_urls: dict[Path, str], styles: list[epub.EpubItem]) -> epub.EpubHtml:
    """One article, whole, as the chapter ``file_name``, in the article's own language."""
    body = render(article, "chapter.html.j2", image_urls=image_urls, **reader_parts(article))
    return book.add_item(document(uid, file_name, article.title, article.lang, body, styles))


# -- cover --------------------------------------------------------------------------------

def add_cover(book: epub.EpubBook, article: Article, data: bytes | Callable[[], bytes],
              alt: str, styles: list[epub.EpubItem]) -> epub.EpubHtml:
    """The cover image (``cover-image``) and a cover page of our own, first in the spine;
    the image's bytes (``cover_entry``) may come later: the view of a page still being set.

    ebooklib's ``set_cover`` page is English and non-linear (EPUBCheck OPF-096), so the
    image is added by hand and the page comes from ``layouts/cover.html.j2`` (as
    ``article``'s manuscript folder overrides it). The page is in the book's language.
    """
    media_type, extension = image_format(data, "the cover image", None) \
        if isinstance(data, bytes) else PAGE_VIEW_FORMAT
    name = unique_name(book, "images/", "cover", extension)
    image = epub.EpubCover(uid="cover-image", file_name=name)
    image.media_type = media_type
    image.content = data if isinstance(data, bytes) else b""
    book.add_item(image)
    # For EPUB 2 reading systems, which know no cover-image property.
    book.add_metadata(None, "meta", "", {"name": "cover", "content": "cover-image"})
    body = render(article, "cover.html.j2", cover={"url": image.file_name, "alt": alt})
    return book.add_item(document("cover", COVER_FILE, label(book.language, "cover"), book.language, body,
                                  styles))


@dataclass(frozen=True)
class LastEntry:
    """A file of the ZIP written after all the others: its bytes may still be in the
    making while the rest is packed."""

    name: str  # its path in the ZIP
    data: bytes | Callable[[], bytes]

    def read(self) -> bytes:
        return self.data if isinstance(self.data, bytes) else self.data()


def cover_entry(book: epub.EpubBook, data: bytes | Callable[[], bytes]) -> LastEntry:
    """The cover image as the ZIP's last file: the page's view, where ``add_cover`` was
    given what draws it, is drawn only once the rest of the book is packed (the view of
    a page still being set: ``pressroom.beside``); the same place for bytes given at once,
    so that one book is one ZIP whichever way its cover came."""
    image = book.get_item_with_id("cover-image")

    def drawn() -> bytes:
        view = data()
        if image_format(view, "the cover image", None) != PAGE_VIEW_FORMAT:
            raise BuildError("the page's view given as the cover is not a JPEG")
        return view
    return LastEntry(f"{book.FOLDER_NAME}/{image.file_name}",
                     data if isinstance(data, bytes) else drawn)


def draw_cover(headline_lines: tuple[str, ...], kicker: str | None,
               publication: str | None, chosen: Typefaces) -> bytes:
    """A plain title card for when no view of the page is given: kicker and headline on paper,
    the paper's name at the foot."""
    width, height = 1200, 1800
    image = Image.new("RGB", (width, height), (250, 248, 242))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width, 36), fill=(168, 40, 38))
    faces = {family: str(chosen.own(family).path) for family in (SONG, HEI, KAI)}
    top = int(height * 0.3)
    if kicker:
        kicker_font = ImageFont.truetype(faces["Pressroom Song"], 56)
        draw.text((width // 2, top), kicker, font=kicker_font, fill=(40, 40, 40), anchor="mt")
        top += 110
    # The headline as large as its longest line allows, within a tenth of the width each side.
    longest = max(len(line) for line in headline_lines)
    size = max(24, min(120, int(width * 0.8 / longest)))
    headline = ImageFont.truetype(faces["Pressroom Hei"], size)
    for line in headline_lines:
        draw.text((width // 2, top), line, font=headline, fill=(20, 20, 20), anchor="mt")
        top += int(size * 1.35)
    if publication:
        small = ImageFont.truetype(faces["Pressroom Kai"], 48)
        draw.text((width // 2, height - 160), publication, font=small,
                  fill=(168, 40, 38), anchor="mt")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


# -- navigation ---------------------------------------------------------------------------

# The contents as ebooklib takes them (``book.toc``): a Link is an entry, a tuple of an
# entry and a list of entries is an entry with a nested list, in the nav and in the NCX.
Contents = list


def article_contents(article: Article) -> Contents:
    """The one-article book's contents: the headline, holding the subheads."""
    sections = [epub.Link(f"{CHAPTER_FILE}#{anchor}", subhead.text, anchor)
                for subhead, anchor in article.anchors.items()]
    headline = epub.Link(CHAPTER_FILE, article.title, "headline")
    # An empty nested <ol> is invalid, so a headline without subheads stands alone.
    return [(headline, sections)] if sections else [headline]


def edition_contents(book: EditionBook, chapters: dict[Path, epub.EpubHtml]) -> Contents:
    """The edition's contents, as the paper's index of pages reads: each page (第1版 要闻,
    leading to its first story) holding its stories' headlines. A page without a story
    (all advertising) has no entry: an entry must lead somewhere, and a nested list may
    not be empty."""
    contents = []
    for page in book.pages:
        links = [epub.Link(chapters[story.source].file_name, story.title,
                           chapters[story.source].id)
                 for story in page.stories]
        if links:
            contents.append((epub.Section(page.heading, links[0].href), links))
    return contents


def add_navigation(book: epub.EpubBook, contents: Contents, cover: epub.EpubHtml,
                   chapters: list[epub.EpubHtml], styles: list[epub.EpubItem]) -> epub.EpubNav:
    """The nav (toc and landmarks, in Chinese), the NCX, and the spine: the cover, the
    contents, then the chapters in reading order. ``styles``: the nav's stylesheets."""
    book.toc = contents
    # Landmarks are written only from book.guide ("text" becomes bodymatter).
    book.guide = [
        {"type": "cover", "href": COVER_FILE, "title": label(book.language, "cover")},
        {"type": "toc", "href": NAV_FILE, "title": label(book.language, "toc")},
        {"type": "text", "href": chapters[0].file_name,
         "title": label(book.language, "bodymatter")},
    ]
    # Both, or EPUBCheck fails: no nav is RSC-005, no NCX is OPF-049.
    book.add_item(epub.EpubNcx())
    nav = book.add_item(epub.EpubNav(file_name=NAV_FILE, title=label(book.language, "toc")))
    for style in styles:
        nav.add_item(style)
    book.spine = [cover, nav, *chapters]
    return nav


# -- fonts --------------------------------------------------------------------------------

def add_fonts(book: epub.EpubBook, font_css: epub.EpubItem, documents: list[epub.EpubHtml],
              chosen: Typefaces) -> None:
    """Embed, per face, a subset of exactly the characters that face draws in the book,
    and write their ``@font-face`` rules into ``font_css``.

    Which face draws which text is found the way a reader finds it, by the font-family
    cascade of the stylesheets each document links over that document: a manuscript's own
    layouts (one story's of an edition) or a new rule in shared.css need no change here,
    and no face carries glyphs it never draws. A role's fallbacks (``chosen``) come
    first, each limited by ``unicode-range`` to what it draws, and its own face last: a
    reader that ignores unicode-range then takes the role's own face for every character.
    Every rule of a role has the role's weight: the further weights of the page's faces
    are for WeasyPrint alone (``pressroom.faces.FURTHER_WEIGHTS``), and a reader matching
    weights first would never reach a fallback declared at another.
    """
    groups: dict[tuple[str, ...], list[bytes]] = {}
    for item in documents:
        hrefs = tuple(link["href"] for link in item.links
                      if link.get("rel") == "stylesheet" and link["href"] != font_css.file_name)
        groups.setdefault(hrefs, []).append(_written(book, item))
    texts: dict[str, str] = defaultdict(str)
    for hrefs, written in groups.items():
        css = [book.get_item_with_href(href).content.decode("utf-8") for href in hrefs]
        for family, text in text_by_family(written, css).items():
            texts[family] += text
    rules = []
    for family in (SONG, HEI, KAI):
        text = texts.get(family, "")
        if not text.strip():
            continue
        for number, (face, data) in reversed(list(enumerate(ebook_subsets(chosen, family, text)))):
            if data[:4] not in FONT_FORMATS:
                raise BuildError(f"the subset of {face.path.name} is not an OpenType, TrueType "
                                 "or WOFF font")
            media_type, extension, css_format = FONT_FORMATS[data[:4]]
            slug = ascii_stem(family) + (f"-{number}" if number else "")
            item = epub.EpubItem(uid=f"font-{slug}", file_name=f"fonts/{slug}{extension}",
                                 media_type=media_type, content=data)
            book.add_item(item)
            ranged = f"  unicode-range: {face.unicode_range};\n" if face.fallback else ""
            rules.append(f'@font-face {{\n  font-family: "{family}";\n'
                         f'  src: url("../{item.file_name}") format("{css_format}");\n'
                         f'  font-weight: {WEIGHTS[family]};\n  font-style: normal;\n{ranged}}}\n')
    # Written here, not in a template: the rules follow from the subsets just cut.
    font_css.content = ("/* The embedded subsets, one per face, written by pressroom/outputs/epub.py. */"
                        "\n\n" + "\n".join(rules)).encode("utf-8")


def _written(book: epub.EpubBook, item: epub.EpubHtml) -> bytes:
    # The documents as ebooklib will write them (the nav only exists at write time).
    return _Writer(io.BytesIO(), book, writer_options(book))._get_nav(item) \
        if isinstance(item, epub.EpubNav) else item.get_content()


def text_by_family(documents: list[bytes], stylesheets: list[str]) -> dict[str, str]:
    """The text of the documents' bodies, grouped by the first font family that sets it.

    A small cascade of the one property: the rule of highest specificity, the later of
    equals, else the parent's family. ``!important``, ``@media`` and the ``font``
    shorthand are not used by the layouts and are not looked at.
    """
    matcher = cssselect2.Matcher()
    for stylesheet_text in stylesheets:
        for rule in tinycss2.parse_stylesheet(stylesheet_text, skip_comments=True,
                                              skip_whitespace=True):
            if rule.type != "qualified-rule":
                continue  # @font-face, @media: no font-family for elements here
            family = _first_family(rule.content)
            if family is not None:
                for selector in cssselect2.compile_selector_list(rule.prelude):
                    matcher.add_selector(selector, family)
    texts: dict[str, list[str]] = defaultdict(list)
    for data in documents:
        root = etree.fromstring(data)
        families: dict[object, str | None] = {}
        for element in cssselect2.ElementWrapper.from_xml_root(root).iter_subtree():
            matches = [match for match in matcher.match(element) if match[2] is None]
            families[element.etree_element] = matches[-1][3] if matches else (
                families.get(element.parent.etree_element) if element.parent else None)
        body = root.find(f"{{{XHTML}}}body")
        for element in body.iter() if body is not None else ():
            if not isinstance(element.tag, str):
                continue  # comments
            if element.text:
                texts[families[element]].append(element.text)
            if element.tail and element is not body:
                texts[families[element.getparent()]].append(element.tail)
    return {family: re.sub(r"\s+", " ", "".join(parts))
            for family, parts in texts.items() if family}


def _first_family(declarations) -> str | None:
    for declaration in tinycss2.parse_declaration_list(declarations, skip_comments=True,
                                                       skip_whitespace=True):
        if declaration.type == "declaration" and declaration.lower_name == "font-family":
            words = []
            for token in declaration.value:
                if token.type == "literal" and token.value == ",":
                    break
                if token.type in ("string", "ident"):
                    words.append(token.value)
            return " ".join(words) or None
    return None


def add_display_options(book: epub.EpubBook) -> None:
    # Apple Books ignores embedded fonts unless this file says the publisher chose them.
    book.add_item(epub.EpubItem(uid="display-options", file_name=DISPLAY_OPTIONS_FILE,
                                content=DISPLAY_OPTIONS, manifest=False))


# -- package ------------------------------------------------------------------------------

WRITER_OPTIONS = {
    "raise_exceptions": True,
    "epub3_pages": False,  # no page list: the text has no print page breaks to map
    # ebooklib's ZIP is only read back by reproducible_zip, which compresses every file
    # once: deflating it here too cost a fifth of the e-book's time.
    "compresslevel": 0,
}


def writer_options(book: epub.EpubBook) -> dict:
    """ebooklib's options for ``book``: the landmarks' title in the book's script."""
    return {**WRITER_OPTIONS, "landmark_title": label(book.language, "landmarks")}


class _Writer(epub.EpubWriter):
    """ebooklib's writer, with the two things it cannot be told to do."""

    def _write_opf_file(self, root):
        # <package xml:lang>: the language of the metadata (Ace flags it when missing).
        root.set(XML_LANG, self.book.language)
        super()._write_opf_file(root)

    def _get_nav(self, item):
        tree = etree.fromstring(super()._get_nav(item)).getroottree()
        head = tree.find(f"{{{XHTML}}}head")
        head.insert(0, etree.Element(f"{{{XHTML}}}meta", charset="utf-8"))
        # Landmarks are for the reading system's menus, not a list to read on the page.
        for nav in tree.iterfind(f".//{{{XHTML}}}nav"):
            if nav.get("{http://www.idpf.org/2007/ops}type") == "landmarks":
                nav.set("hidden", "hidden")
        return etree.tostring(tree, pretty_print=True, encoding="utf-8", xml_declaration=True)


def package(book: epub.EpubBook, where: Location | None, modified: datetime.datetime) -> bytes:
    """ebooklib's ZIP, written in memory so that a failure never leaves half a file.
    ``where``: the manuscript a failure is reported at (None for an edition's book)."""
    buffer = io.BytesIO()
    # mtime: ebooklib otherwise writes local time labelled Z.
    writer = _Writer(buffer, book, {**writer_options(book), "mtime": modified})
    try:
        writer.process()
        writer.write()
    except (OSError, ValueError, etree.LxmlError, epub.EpubException) as error:
        raise BuildError(f"ebooklib could not package the EPUB: {error}", where) from error
    check_documents(buffer.getvalue(), where)
    return buffer.getvalue()


def check_documents(data: bytes, where: Location | None) -> None:
    # ebooklib writes an empty document, without a word, when it cannot parse a chapter.
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.endswith(".xhtml"):
                try:
                    root = etree.fromstring(archive.read(name))
                except etree.XMLSyntaxError as error:
                    raise BuildError(f"{name} in the EPUB is not well-formed XHTML: {error}",
                                     where) from None
                if root.find(f"{{{XHTML}}}body") is None or not len(root.find(f"{{{XHTML}}}body")):
                    raise BuildError(f"{name} in the EPUB has an empty body", where)


def reproducible_zip(data: bytes, modified: datetime.datetime,
                     last: LastEntry | None = None) -> bytes:
    """The same files in a ZIP that depends on nothing but them and ``modified``.

    ebooklib stamps entries with the wall clock. Here every entry gets ``modified`` (in
    UTC), Unix mode 0644 and a fixed place: ``mimetype`` first and stored (the OCF rule),
    then META-INF, then the rest by name, and ``last`` (in place of what ebooklib wrote
    under its name) at the end.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        names = source.namelist()
        if len(set(names)) != len(names):
            raise BuildError("the EPUB has two files of the same name")
        files = {name: source.read(name) for name in names if not last or name != last.name}
    # ZIP times have no zone and run from 1980 to 2107: the UTC fields, or 1980 outside.
    stamp = modified.timetuple()[:6] if 1980 <= modified.year <= 2107 else (1980, 1, 1, 0, 0, 0)
    order = sorted(files, key=lambda name: (name != "mimetype",
                                            not name.startswith("META-INF/"), name))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in order:
            _write_entry(archive, name, files[name], stamp)
        if last:
            _write_entry(archive, last.name, last.read(), stamp)
    return out.getvalue()


def _write_entry(archive: zipfile.ZipFile, name: str, data: bytes, stamp: tuple) -> None:
    info = zipfile.ZipInfo(name, date_time=stamp)
    info.create_system = 3  # Unix, so that the mode below means what it says
    info.external_attr = (stat.S_IFREG | 0o644) << 16
    info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
    archive.writestr(info, data, compresslevel=9)
