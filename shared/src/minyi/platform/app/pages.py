"""Pages a service serves as static files from its package: a page's HTML and its listed
assets, with the security headers every Minyi page has. Static files only, so the
Content-Security-Policy can forbid inline script and every other origin.

Every service's pages also serve the platform's sign-in kit (``web/`` beside this module)
under ``/static/kit/``: ``session.js`` (an ES module), ``kit.css`` and ``config.json`` (where
the deployment's sign-in proxy is, from the settings). ``Pages.serve_files(router)`` adds
both file routes, ``/static/{name}`` and ``/static/kit/{name}``, to a service's pages router."""

from __future__ import annotations

from collections.abc import Iterable
from importlib import resources
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from minyi.platform.errors import NotFound
from minyi.platform.runtime import runtime_of

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'"
)
MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
}
KIT_ROOT = Path(__file__).resolve().parent / "web"
KIT_ASSETS = frozenset({"session.js", "kit.css"})
KIT_CONFIG = "config.json"


def web_links(setting: str) -> dict[str, str]:
    """``"intake=http://host:8001,…"`` as a mapping (a page prefixes its links with it)."""
    pairs = (item.partition("=") for item in setting.split(",") if "=" in item)
    return {name.strip(): url.strip().rstrip("/") for name, _, url in pairs if name.strip()}


class Pages:
    """``folder`` of ``package``; only the ``assets`` named are served under /static/."""

    def __init__(
        self,
        package: str,
        folder: str,
        assets: Iterable[str],
        *,
        csp: str = CSP,
        asset_cache: str = "no-cache",
    ) -> None:
        self._root = Path(str(resources.files(package).joinpath(folder)))
        self._assets = frozenset(assets)
        self._headers = {
            "Content-Security-Policy": csp,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        }
        self._asset_cache = asset_cache

    def page(self, name: str) -> FileResponse:
        return self._file(name, {**self._headers, "Cache-Control": "no-cache"})

    def asset(self, name: str) -> FileResponse:
        if name not in self._assets:
            raise NotFound("no_such_file", f"没有这个文件（no such file: {name}）")
        return self._file(name, {**self._headers, "Cache-Control": self._asset_cache})

    def kit(self, name: str, request: Request) -> Response:
        """The platform's sign-in kit: its assets, and ``config.json`` (the sign-in proxy's
        addresses, null in development: the page then offers the token form)."""
        if name == KIT_CONFIG:
            settings = runtime_of(request).settings
            body = {
                "signin_url": settings.web_signin_url,
                "signout_url": settings.web_signout_url,
                "links": web_links(settings.web_links),
            }
            return JSONResponse(body, headers={**self._headers, "Cache-Control": "no-store"})
        if name not in KIT_ASSETS:
            raise NotFound("no_such_file", f"没有这个文件（no such file: kit/{name}）")
        headers = {**self._headers, "Cache-Control": self._asset_cache}
        return self._file(name, headers, root=KIT_ROOT)

    def serve_files(self, router: APIRouter) -> None:
        """The two file routes every service with pages has: its listed assets and the kit."""

        @router.get("/static/kit/{name}")
        async def kit(name: str, request: Request) -> Response:
            """The platform's sign-in kit, which every staff page uses."""
            return self.kit(name, request)

        @router.get("/static/{name}")
        async def static(name: str) -> Response:
            return self.asset(name)

    def _file(
        self, name: str, headers: dict[str, str], *, root: Path | None = None
    ) -> FileResponse:
        media_type = MEDIA_TYPES[Path(name).suffix]
        return FileResponse((root or self._root) / name, media_type=media_type, headers=headers)
