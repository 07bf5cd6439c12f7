"""Server-rendered pages: one Jinja2 environment, translated through the gettext catalogs.

Templates live in ``temir/web/templates`` (the shell) and in each capability's ``templates``
folder. Every page gets ``_`` (translate into the user's language), ``lang``, ``languages``,
``nav``, ``ru_names`` (reference data named in Russian), ``user`` and ``csrf_token`` — the
last two are set on ``request.state`` by the accounts middleware when someone is logged in.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from temir import __version__
from temir.kit.api import request_language
from temir.kit.i18n import LANGUAGE_NAMES, available_languages, russian_names, translate
from temir.web.nav import NAV

PACKAGE = Path(__file__).resolve().parent.parent


@functools.cache
def environment() -> Environment:
    folders = [PACKAGE / "web" / "templates"]
    folders += sorted(p for p in PACKAGE.glob("*/templates") if p.parent.name != "web")
    env = Environment(
        loader=FileSystemLoader([str(f) for f in folders]),
        autoescape=select_autoescape(["html", "xml", "svg"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["version"] = __version__
    return env


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    lang = request_language(request)

    def _(msgid: str, **params: Any) -> str:
        return translate(msgid, lang, **params)

    page = (
        environment()
        .get_template(template)
        .render(
            request=request,
            lang=lang,
            ru_names=russian_names(lang),  # name reference data in Russian (ru, kk, tg)
            _=_,
            languages=[(code, LANGUAGE_NAMES.get(code, code)) for code in available_languages()],
            nav=NAV,
            user=getattr(request.state, "user", None),
            csrf_token=getattr(request.state, "csrf_token", ""),
            **context,
        )
    )
    return HTMLResponse(page, status_code=status_code)
