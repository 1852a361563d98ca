"""The report's 12-week charts, drawn with matplotlib (no display needed).

Each chart comes with its numbers as a table on the page, so nobody depends on
seeing the picture.
"""

from __future__ import annotations

import io
from collections.abc import Sequence


def line_chart(title: str, series: Sequence[tuple[str, float]], fmt: str = "svg") -> bytes:
    """A small line chart of ``series`` ((week label, value) oldest first) as SVG or PNG.

    Args:
        title: The chart's title.
        series: The points.
        fmt: ``svg`` (for the page) or ``png`` (for the PDF).

    Returns:
        The image's bytes.

    """
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6.4, 2.6), dpi=150)
    axes = figure.add_subplot()
    labels = [label.split("-")[1] for label, _ in series]
    values = [number for _, number in series]
    axes.plot(range(len(values)), values, marker="o", color="#1d70b8", linewidth=2)
    axes.set_xticks(range(len(labels)))
    axes.set_xticklabels(labels, fontsize=8)
    axes.set_title(title, fontsize=11, loc="left")
    axes.set_ylim(bottom=0, top=max([*values, 1.0]) * 1.15)
    axes.grid(axis="y", color="#b1b4b6", linewidth=0.5)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    figure.tight_layout()
    out = io.BytesIO()
    metadata = {"Date": None} if fmt == "svg" else {}
    figure.savefig(out, format=fmt, metadata=metadata)
    return out.getvalue()
