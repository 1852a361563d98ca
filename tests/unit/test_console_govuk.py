"""GOV.UK Frontend in the console: the vendored files, the macros and the page frame.

The console serves GOV.UK Frontend's compiled CSS and JavaScript from
``bot/console/static/govuk/`` so that running it needs no npm. They must be the
very files of the version ``package-lock.json`` pins (``npm ci`` puts them in
``node_modules``), and that version must be the one the ``govuk-frontend-jinja``
macros in the lock file were written for.
"""

from __future__ import annotations

import json
import re
from importlib.metadata import version
from pathlib import Path

import pytest

from bot.console.web import STATIC, templates
from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
VENDORED = STATIC / "govuk"
FILES = ["govuk-frontend.min.css", "govuk-frontend.min.js"]
# govuk-frontend-jinja's release -> the GOV.UK Frontend release it targets (its README's table).
JINJA_TARGETS = {"3.10": "5.14.0"}


def locked_version() -> str:
    lock = json.loads((ROOT / "package-lock.json").read_text())
    return str(lock["packages"]["node_modules/govuk-frontend"]["version"])


def test_package_json_pins_the_locked_version_exactly():
    wanted = json.loads((ROOT / "package.json").read_text())["devDependencies"]["govuk-frontend"]
    assert wanted == locked_version()


def test_the_macros_target_the_locked_govuk_frontend():
    jinja = version("govuk-frontend-jinja")
    assert JINJA_TARGETS[".".join(jinja.split(".")[:2])] == locked_version()


@pytest.mark.parametrize("name", FILES)
def test_vendored_files_are_the_locked_release_byte_for_byte(name):
    installed = ROOT / "node_modules" / "govuk-frontend"
    if not installed.exists():
        pytest.fail("node_modules/govuk-frontend is missing: run `npm ci` (make test does)")
    assert json.loads((installed / "package.json").read_text())["version"] == locked_version()
    assert (VENDORED / name).read_bytes() == (installed / "dist" / "govuk" / name).read_bytes()


def test_the_vendored_javascript_says_its_version_and_the_licence_is_alongside():
    script = (VENDORED / "govuk-frontend.min.js").read_text()
    assert script.startswith(f'const version="{locked_version()}"')
    licence = (VENDORED / "LICENSE.txt").read_text()
    assert "MIT License" in licence and locked_version() in licence


def test_no_crown_font_or_image_is_vendored():
    # Not on GOV.UK: no GDS Transport font, crown or GOV.UK icons (console.css maps the font).
    assert sorted(p.name for p in VENDORED.iterdir()) == sorted([*FILES, "LICENSE.txt"])
    css = (STATIC / "console.css").read_text()
    assert css.count('font-family: "GDS Transport"') == 2 and "url(" not in css


def test_the_macros_load_from_the_console_templates():
    env = templates(Settings())
    page = env.from_string(
        '{% from "govuk_frontend_jinja/components/button/macro.html" import govukButton %}'
        '{{ govukButton({"text": "Save"}) }}'
    ).render()
    assert re.search(r'<button type="submit" class="govuk-button"[^>]*>\s*Save\s*</button>', page)


def test_printing_a_missing_value_is_still_an_error():
    env = templates(Settings())
    assert env.from_string("{% if nothing %}x{% endif %}ok").render() == "ok"
    with pytest.raises(Exception, match="'nothing' is undefined"):
        env.from_string("{{ nothing }}").render()


def test_base_html_keeps_the_blocks_other_pages_fill():
    source = (STATIC.parent / "templates" / "base.html").read_text()
    for block in ("pageTitle", "head", "beforeContent", "main"):
        assert f"{{% block {block} %}}" in source
    env = templates(Settings())
    page = env.from_string(
        '{% extends "base.html" %}{% block main %}<h1>Hi</h1>{% endblock %}'
    ).render(title="T", person=None, navigation=[], path="/", csrf_token="")
    assert '<main class="govuk-main-wrapper" id="main-content"' in page
    assert "govuk-phase-banner" in page and ">Beta<" in page.replace("\n", "").replace(" ", "")
    assert '<script type="module" src="/static/console.js"></script>' in page
    # No inline script or style: the Content-Security-Policy allows neither.
    assert re.findall(r"<script[^>]*>", page) == ['<script type="module" src="/static/console.js">']
    assert "style=" not in page
