"""The words Pressroom itself prints: labels, jump lines, folios, the e-book's landmarks.

Each is given in Simplified and in Traditional characters; a page or book takes the ones
of its text's script (``pressroom.lang``). A label with ``{}`` takes a value (a page's
label, a name, a number).
"""
from __future__ import annotations

from .lang import convention

LABELS: dict[str, dict[str, str]] = {
    "Hans": {
        "editor_note": "编者按",
        "jump_to": "（下转{}）",
        "jump_from": "（上接{}）",
        "continued": "续",  # 第1版续一: the second page of a story set alone
        "page_editor": "责任编辑 {}",
        "undated": "日期待定",
        "index": "导读",
        "pages_today": "今日{}版",
        "serial": "国内统一连续出版物号{}",
        "postal_code": "邮发代号{}",
        "weekday": "星期",
        "cover": "封面",
        "toc": "目录",
        "bodymatter": "正文",
        "landmarks": "导览",
        "newspaper": "报纸",
        "page_view": "版面",
        "advertisement": "广告",
        "article_summary": "本书为一篇报纸文章的电子版，文字可重排，可放大字号、更换字体。标题、小标题结构完整，"
                           "目录可直达各节；图片均配有文字说明和替代文本。无闪烁、声音或动画等危险内容。",
        "edition_summary": "本书为一期报纸的电子版，按版面顺序收录各篇文章，每篇一章，文字可重排，可放大字号、"
                           "更换字体。目录按版面列出各篇标题，可直达各篇；标题、小标题结构完整；图片均配有"
                           "文字说明和替代文本。无闪烁、声音或动画等危险内容。",
    },
    "Hant": {
        "editor_note": "編者按",
        "jump_to": "（下轉{}）",
        "jump_from": "（上接{}）",
        "continued": "續",
        "page_editor": "責任編輯 {}",
        "undated": "日期待定",
        "index": "導讀",
        "pages_today": "今日{}版",
        "serial": "國內統一連續出版物號{}",
        "postal_code": "郵發代號{}",
        "weekday": "星期",
        "cover": "封面",
        "toc": "目錄",
        "bodymatter": "正文",
        "landmarks": "導覽",
        "newspaper": "報紙",
        "page_view": "版面",
        "advertisement": "廣告",
        "article_summary": "本書為一篇報紙文章的電子版，文字可重排，可放大字級、更換字型。標題、小標題結構完整，"
                           "目錄可直達各節；圖片均配有文字說明和替代文字。無閃爍、聲音或動畫等危險內容。",
        "edition_summary": "本書為一期報紙的電子版，按版面順序收錄各篇文章，每篇一章，文字可重排，可放大字級、"
                           "更換字型。目錄按版面列出各篇標題，可直達各篇；標題、小標題結構完整；圖片均配有"
                           "文字說明和替代文字。無閃爍、聲音或動畫等危險內容。",
    },
}

# The numerals of folios and dates, the same in both scripts.
NUMERALS = "〇零一二两三四五六七八九十百年月日第版"


def label(lang: str, key: str) -> str:
    """The label ``key`` in the script of ``lang``."""
    return LABELS[convention(lang).script][key]


def forms(key: str) -> tuple[str, ...]:
    """The label ``key`` in every script, for reading printed text back (a jump line of
    either script)."""
    return tuple(table[key] for table in LABELS.values())


def characters() -> frozenset[str]:
    """Every character a label may print, in either script."""
    return frozenset("".join(text for table in LABELS.values() for text in table.values())
                     + NUMERALS) - {"{", "}"}
