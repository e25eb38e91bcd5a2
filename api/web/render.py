"""Rendering pages: the Jinja environment, the page language and the bilingual words.

Chinese is the default; ``?lang=en`` switches to English and is remembered in a cookie.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from gis.i18n import Lang, Text

TEMPLATES = Path(__file__).resolve().parent / "templates"
LANG_COOKIE = "beatgrid_lang"
STATIC = "/maps/static"

_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)

WORDS: dict[str, Text] = {
    "app": Text("警网融合", "Police-grid fusion"),
    "tagline": Text(
        "派出所、街道办、指挥中心共用一张有版本的网格与警务区底图。",
        "One shared, versioned map of police beats and community grids for stations, "
        "street offices and the command centre.",
    ),
    "login": Text("登录", "Log in"),
    "logout": Text("退出", "Log out"),
    "username": Text("用户名", "User name"),
    "password": Text("密码", "Password"),
    "bad_login": Text("用户名或密码错误，请重试。", "Wrong user name or password; try again."),
    "expired": Text("登录已过期，请重新登录。", "Your login has expired; please log in again."),
    "workspace": Text("我的工作台", "My workspace"),
    "api_docs": Text("接口文档", "API docs"),
    "language": Text("English", "中文"),
    "station": Text("派出所工作台", "Police station workspace"),
    "street_office": Text("街道办网格编辑", "Street office grid editor"),
    "commander": Text("指挥中心研判", "Command centre dashboard"),
    "admin": Text("系统管理", "Administration"),
    "jurisdiction": Text("辖区", "Jurisdiction"),
    "whole": Text("全部", "everything"),
    "back": Text("返回首页", "Back to the start page"),
    "error": Text("出错了", "Something went wrong"),
    "not_found": Text("页面不存在", "Page not found"),
    "forbidden": Text("无权访问", "Not allowed"),
}


def lang_of(request: Request) -> Lang:
    """``?lang=`` first, then the remembered choice, else Chinese."""
    asked = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    return "en" if asked == "en" else "zh"


def words(lang: Lang) -> dict[str, str]:
    return {k: v.get(lang) for k, v in WORDS.items()}


def render(request: Request, template: str, *, status_code: int = 200, **ctx: Any) -> HTMLResponse:
    """Render ``template`` in the request's language; remembers an explicit ``?lang=``."""
    lang = lang_of(request)
    other = "en" if lang == "zh" else "zh"
    html = _env.get_template(template).render(
        lang=lang, other=other, w=words(lang), static=STATIC, path=request.url.path, **ctx
    )
    response = HTMLResponse(html, status_code=status_code)
    if "lang" in request.query_params:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax")
    return response
