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


_SHADES = " .:-=+*#%@"


def heatmap(values, row_labels=None, column_labels=None):
    """Shade a 2-D array of non-negative values, darker for larger (scaled to the maximum)."""
    values = np.asarray(values, dtype=float)
    rows, columns = values.shape
    row_labels = row_labels or [str(r) for r in range(rows)]
    column_labels = column_labels or [str(c) for c in range(columns)]
    width = max(3, max(len(label) for label in column_labels))
    margin = max(len(label) for label in row_labels)
    levels = np.rint(values / (values.max() or 1.0) * (len(_SHADES) - 1)).astype(int)
    lines = [" " * margin + " " + "".join(label.rjust(width) for label in column_labels)]
    for label, row in zip(row_labels, levels):
        lines.append(label.rjust(margin) + " " + "".join((_SHADES[level] * 2).rjust(width)
                                                         for level in row))
    return "\n".join(lines)
