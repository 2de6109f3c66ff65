"""The geometry of the dashboard's charts; their markup is in templates/dashboard/_charts.html.

Charts are drawn in a viewBox and scale with the page. A withheld figure draws nothing
(no bar, no point): its length would give it away.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from roster.policy.privacy import Figure

WIDTH = 360
BAR_ROW = 40
SPARK_ROW = 44
SPARK_WIDTH = 250


@dataclass(frozen=True)
class Bar:
    """One bar: its row's label, the figure as shown, and its length."""

    y: int
    label: str
    figure: Figure
    share: float | None
    length: float


def bars(rows: Sequence[tuple[str, Figure, float | None]]) -> list[Bar]:
    """Bars of shares (0 to 1), the longest filling the chart; withheld ones have no length."""
    longest = max((share for _, _, share in rows if share is not None), default=0) or 1
    usable = WIDTH - 110
    return [
        Bar(
            y=i * BAR_ROW,
            label=label,
            figure=figure,
            share=share,
            length=0 if share is None else round(usable * share / longest, 1),
        )
        for i, (label, figure, share) in enumerate(rows)
    ]


@dataclass(frozen=True)
class Spark:
    """One category's shares over the quarters: the line's pieces and the latest share."""

    y: int
    label: str
    segments: list[str]
    points: list[tuple[float, float]]
    latest: float | None


def sparks(rows: Sequence[tuple[str, Sequence[float | None]]]) -> list[Spark]:
    """Small multiples: a line per category on a shared scale, broken where a share is withheld."""
    top = max((s for _, shares in rows for s in shares if s is not None), default=0) or 1
    result = []
    for i, (label, shares) in enumerate(rows):
        base = 40  # the baseline, inside the row's own group
        step = SPARK_WIDTH / max(len(shares) - 1, 1)
        points, segments, current = [], [], []
        for k, share in enumerate(shares):
            if share is None:
                if len(current) > 1:
                    segments.append(" ".join(current))
                current = []
                continue
            x, y = round(k * step, 1), round(base - 18 * share / top, 1)
            points.append((x, y))
            current.append(f"{x},{y}")
        if len(current) > 1:
            segments.append(" ".join(current))
        result.append(Spark(i * SPARK_ROW, label, segments, points, shares[-1] if shares else None))
    return result
