"""The monthly report's charts, drawn server-side with matplotlib (a Figure drawn by Agg: no
pyplot, no display, no browser) in the Noto Sans CJK SC font fontconfig finds (``fc-match``; Debian's
fonts-noto-cjk). Without it the charts are still drawn, and a warning says the Chinese
labels may show as boxes.

Deterministic: PNGs without a timestamp or software tag, a fixed size and resolution, so the
same figures give the same bytes."""

from __future__ import annotations

import io
import logging
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import matplotlib
from matplotlib import font_manager
from matplotlib.figure import Figure

from minyi.reporting.domain.monthly import Heat, Week

log = logging.getLogger(__name__)

CJK_FONT = "Noto Sans CJK SC"
DPI = 150
# No timestamp, no version: the same figures give the same bytes.
PNG_METADATA: dict[str, Any] = {"Software": None}
NO_FONT_WARNING = (
    "未找到中文字体 Noto Sans CJK SC（Debian: apt-get install fonts-noto-cjk），"
    "报告图表中的中文可能显示为方框"
)


@cache
def cjk_font() -> str | None:
    """The file of the CJK font fontconfig matches, registered with matplotlib; None (and a
    warning, once) when there is none."""
    fc_match = shutil.which("fc-match")
    path = None
    if fc_match:
        found = subprocess.run(
            [fc_match, "-f", "%{family}\n%{file}", CJK_FONT],
            capture_output=True,
            text=True,
            check=False,
            timeout=10,
        ).stdout.split("\n")
        if len(found) == 2 and "CJK" in found[0] and Path(found[1]).is_file():
            path = found[1]
    if path is None:
        log.warning(NO_FONT_WARNING)
        return None
    font_manager.fontManager.addfont(path)
    return str(font_manager.FontProperties(fname=path).get_name())


def _figure(width: float, height: float) -> Figure:
    font = cjk_font()
    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    # Text takes the family when it is made: this process draws only these charts.
    matplotlib.rcParams["font.family"] = [font, "DejaVu Sans"] if font else ["DejaVu Sans"]
    matplotlib.rcParams["axes.unicode_minus"] = False
    return fig


def _png(fig: Figure) -> bytes:
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=DPI, metadata=PNG_METADATA)
    return out.getvalue()


def heatmap_png(heat: Heat, title: str) -> bytes:
    """District (rows) × focus area (columns), darker for more; each cell's count written."""
    rows, columns = heat.rows or ("—",), heat.columns or ("—",)
    counts = heat.counts or ((0,),)
    fig = _figure(max(6.0, 1.0 + 0.9 * len(columns)), max(3.0, 1.2 + 0.45 * len(rows)))
    ax = fig.add_subplot()
    top = max((n for row in counts for n in row), default=0)
    image = ax.imshow(counts, cmap="Reds", aspect="auto", vmin=0, vmax=max(top, 1))
    ax.set_xticks(range(len(columns)), labels=list(columns), rotation=30, ha="right")
    ax.set_yticks(range(len(rows)), labels=list(rows))
    for i, row in enumerate(counts):
        for j, n in enumerate(row):
            if n:
                ax.text(
                    j, i, str(n), ha="center", va="center", fontsize=8,
                    color="white" if n > top * 0.6 else "black",
                )  # fmt: skip
    ax.set_title(title)
    fig.colorbar(image, ax=ax, label="件数")
    return _png(fig)


def trend_png(weeks: tuple[Week, ...], title: str) -> bytes:
    """Filed, answered and solved per ISO week."""
    fig = _figure(7.0, 3.2)
    ax = fig.add_subplot()
    labels = [w.week for w in weeks] or ["—"]
    x = range(len(labels))
    for values, name, style in (
        ([w.filed for w in weeks], "收到", "-o"),
        ([w.replied for w in weeks], "已答复", "-s"),
        ([w.solved for w in weeks], "已解决", "-^"),
    ):
        ax.plot(list(x)[: len(values)], values, style, label=name, markersize=3)
    ax.set_xticks(list(x), labels=labels, rotation=45, ha="right", fontsize=7)
    ax.set_ylabel("件数")
    ax.set_ylim(bottom=0)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="upper left", fontsize=8)
    ax.set_title(title)
    return _png(fig)
