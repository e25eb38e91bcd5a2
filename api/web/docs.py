"""``/docs``: Swagger UI from the files vendored at install time (``maps.vendor``), no CDN."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

from api.web.render import STATIC

router = APIRouter(include_in_schema=False)
SWAGGER = f"{STATIC}/vendor/swagger-ui-dist"


@router.get("/docs", response_class=HTMLResponse)
def docs(request: Request) -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url=str(request.app.openapi_url),
        title="beatgrid API · 接口文档",
        swagger_js_url=f"{SWAGGER}/swagger-ui-bundle.js",
        swagger_css_url=f"{SWAGGER}/swagger-ui.css",
        swagger_favicon_url=f"{SWAGGER}/favicon-32x32.png",
        swagger_ui_parameters={"persistAuthorization": True},
    )
