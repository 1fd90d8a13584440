"""Pages a service serves as static files from its package: a page's HTML and its listed
assets, with the security headers every Minyi page has. Static files only, so the
Content-Security-Policy can forbid inline script and every other origin."""

from __future__ import annotations

from collections.abc import Iterable
from importlib import resources
from pathlib import Path

from fastapi.responses import FileResponse

from minyi.platform.errors import NotFound

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

    def _file(self, name: str, headers: dict[str, str]) -> FileResponse:
        media_type = MEDIA_TYPES[Path(name).suffix]
        return FileResponse(self._root / name, media_type=media_type, headers=headers)
