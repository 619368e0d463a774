"""Small text charts, so every example shows its result without matplotlib."""
import numpy as np

_MARKS = "*o+x#"


def line_chart(series, height=12, width=None):
    """Plot named 1-D series on one grid of characters; returns the chart as a string.

    ``series`` maps a label to its values; each series gets its own mark.
    """
    values = [np.asarray(v, dtype=float) for v in series.values()]
    width = width or max(len(v) for v in values)
    low = min(v.min() for v in values)
    high = max(v.max() for v in values)
    span = high - low or 1.0
    grid = [[" "] * width for _ in range(height)]
    for mark, v in zip(_MARKS, values):
        columns = np.linspace(0, width - 1, len(v)).round().astype(int)
        rows = ((high - v) / span * (height - 1)).round().astype(int)
        for row, column in zip(rows, columns):
            grid[row][column] = mark
    lines = [f"{high - r * span / (height - 1):8.3f} |" + "".join(row)
             for r, row in enumerate(grid)]
    legend = "   ".join(f"{mark} {label}" for mark, label in zip(_MARKS, series))
    return "\n".join(lines + [" " * 9 + "+" + "-" * width, " " * 10 + legend])
