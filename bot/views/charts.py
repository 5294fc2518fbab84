"""Charts as PNG bytes (matplotlib, Agg backend, no pyplot: safe in worker threads). Labels come from content/.

matplotlib is imported on first use, so the bot starts fast; callers run these in a thread (`asyncio.to_thread`).
"""

from __future__ import annotations

import io
from collections.abc import Sequence

# The bot's colours: applications, interviews, networking, check-ins / energy.
COLOURS = ("#2b6cb0", "#dd6b20", "#38a169", "#6b46c1")


def _figure(width_in: float, height_in: float, *, fixed_layout: bool = False):
    """A figure; `fixed_layout` uses fixed margins instead of the constrained layout (about 40% less CPU, for
    charts made often, such as the digest's)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width_in, height_in), dpi=100)
    if fixed_layout:
        figure.subplots_adjust(left=0.06, right=0.985, top=0.87, bottom=0.1)
    else:
        figure.set_layout_engine("constrained")
    return figure


def _png(figure, dpi: int) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def weekly_activity(
    weeks: Sequence[str],
    series: dict[str, Sequence[int]],
    *,
    title: str,
    line: tuple[str, Sequence[int]] | None = None,
    size: tuple[float, float] = (8.0, 3.6),
    dpi: int = 110,
    fixed_layout: bool = False,
) -> bytes:
    """Stacked weekly bars (e.g. applications, interviews, networking), with an optional line on top (e.g.
    check-ins per week). `weeks` are the tick labels; `series` maps a legend label to one value per week."""
    figure = _figure(*size, fixed_layout=fixed_layout)
    axes = figure.add_subplot()
    positions = range(len(weeks))
    bottom = [0] * len(weeks)
    for colour, (label, values) in zip(COLOURS, series.items(), strict=False):
        _bars(axes, values, bottom, label=label, colour=colour)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    if line is not None:
        label, values = line
        axes.plot(list(positions), values, label=label, color=COLOURS[3], marker="o", linewidth=2)
    _weeks_axis(axes, weeks)
    axes.set_title(title, fontsize=11, loc="left")
    axes.legend(loc="upper left", fontsize=8, frameon=False, ncols=4)
    axes.set_ylim(0, max([*bottom, *(line[1] if line else [])], default=0) * 1.3 + 1)
    from matplotlib.ticker import MaxNLocator

    axes.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts: whole numbers only
    return _png(figure, dpi)


def _bars(axes, values: Sequence[int], bottom: Sequence[int], *, label: str, colour: str, width: float = 0.7) -> None:
    """One series of stacked bars as a single PolyCollection: the same picture as `axes.bar`, without one
    matplotlib patch per bar (the report's 104-week chart drew 312 of them, 0.4 s)."""
    from matplotlib.collections import PolyCollection

    half = width / 2
    boxes = [
        ((n - half, low), (n - half, low + value), (n + half, low + value), (n + half, low))
        for n, (value, low) in enumerate(zip(values, bottom, strict=True))
        if value
    ]
    axes.add_collection(PolyCollection(boxes, facecolors=colour, edgecolors="none", label=label))


def energy_line(
    weeks: Sequence[str],
    values: Sequence[int | None],
    *,
    title: str,
    size: tuple[float, float] = (8.0, 2.4),
    dpi: int = 110,
) -> bytes:
    """Energy 1-10 per week as a line; weeks without a score are gaps."""
    figure = _figure(*size)
    axes = figure.add_subplot()
    points = [(n, v) for n, v in enumerate(values) if v is not None]
    axes.plot([n for n, _ in points], [v for _, v in points], color=COLOURS[3], marker="o", markersize=3, linewidth=1.5)
    axes.axhspan(0.5, 3.5, color="#fed7d7", alpha=0.6, linewidth=0)
    axes.set_ylim(0.5, 10.5)
    axes.set_yticks([1, 4, 7, 10])
    _weeks_axis(axes, weeks)
    axes.set_title(title, fontsize=11, loc="left")
    return _png(figure, dpi)


def _weeks_axis(axes, weeks: Sequence[str]) -> None:
    step = max(1, -(-len(weeks) // 16))  # at most ~16 tick labels
    axes.set_xticks(range(0, len(weeks), step), [weeks[n] for n in range(0, len(weeks), step)], fontsize=8)
    axes.set_xlim(-0.6, len(weeks) - 0.4)
    axes.tick_params(axis="y", labelsize=8)
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="y", color="#e2e8f0", linewidth=0.8)
    axes.set_axisbelow(True)
