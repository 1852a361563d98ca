"""The public pack page, as HTML: one pack, and nothing that says whose it is.

Pure functions with no I/O and no web framework: :mod:`bot.channels.pack` serves
them. The page names no one, shows no number, district or date of birth, so a
link that leaks identifies nobody. Mobile first, plain words, one column, headings
a screen reader can jump between, and a print style that drops the buttons.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from bot.packs.contents import PackView
from bot.personal import long_date

STATIC = Path(__file__).resolve().parent / "static"
ASSETS = {
    "pack.css": "text/css; charset=utf-8",
    "pack.js": "text/javascript; charset=utf-8",
    "favicon.svg": "image/svg+xml",
}

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow, noarchive",
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}
"""Security headers of every response under ``/pack/``."""

HELP_NOW = (
    "If you are in danger, call 999. To talk to someone any time, call Samaritans free on 116 123."
)


def _page(title: str, body: str) -> str:
    return (
        "<!doctype html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="robots" content="noindex, nofollow, noarchive">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{escape(title)}</title>\n"
        '<link rel="icon" href="/pack/favicon.svg" type="image/svg+xml">\n'
        '<link rel="stylesheet" href="/pack/pack.css">\n'
        '<script src="/pack/pack.js" defer></script>\n'
        f"</head>\n<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def pack_html(view: PackView) -> str:
    """The page of one pack."""
    parts = [
        "<h1>Your leaving care pack</h1>",
        "<p>This is what you can get as a care leaver. "
        "Your PA (personal adviser) can help you get any of it.</p>",
        f'<p class="made">Made on {escape(long_date(view.made_on))}.</p>',
        '<p><button type="button" id="print" hidden>Print this page</button></p>',
        f"<h2>What you can get ({len(view.items)})</h2>",
    ]
    if not view.items:
        parts.append("<p>We could not find anything to list. Ask your PA what you can get.</p>")
    for item in view.items:
        block = [f'<section class="item" aria-labelledby="e-{escape(item.id)}">']
        block.append(f'<h3 id="e-{escape(item.id)}">{escape(item.title)}</h3>')
        block.append(f"<p>{escape(item.summary)}</p>")
        if item.until:
            block.append(f'<p class="until">{escape(item.until)}</p>')
        block.append("<h4>How to get it</h4>")
        block.append(f"<p>{escape(item.how_to_get)}</p>")
        if item.note:
            block.append(f'<p class="note">{escape(item.note)}</p>')
        block.append("</section>")
        parts.append("\n".join(block))
    if view.ask:
        parts.append("<h2>Ask your PA about these</h2>")
        parts.append(
            "<p>You might get these too. It depends on things we do not know. Ask your PA.</p>"
        )
        parts.append("<ul>" + "".join(f"<li>{escape(t)}</li>" for t in view.ask) + "</ul>")
    parts.append('<h2>Need help now?</h2>\n<p class="help">' + escape(HELP_NOW) + "</p>")
    parts.append(
        "<p>Got a question? Text us, any time. This link stops working after a few weeks: "
        "your PA can send you a new one.</p>"
    )
    return _page("Your leaving care pack", "\n".join(parts))


def not_found_html() -> str:
    """The one page for every link that does not work: unknown, mistyped or expired."""
    return _page(
        "Page not found",
        "<h1>This link does not work</h1>\n"
        "<p>It may be old, or it may have been typed wrong.</p>\n"
        "<p>Ask your PA (personal adviser) to send you a new link.</p>\n"
        f'<p class="help">{escape(HELP_NOW)}</p>',
    )


def asset(name: str) -> bytes:
    """A file of the page (``pack.css``, ``pack.js``)."""
    if name not in ASSETS:
        raise KeyError(name)
    return (STATIC / name).read_bytes()
