"""Small text charts, so every example shows its result without matplotlib."""
import numpy as np

from .checks import is_int_at_least, positive_int

_MARKS = "*o+x#"


def line_chart(series, height=12, width=None):
    """Plot named 1-D series on one grid of characters; returns the chart as a string.

    ``series`` maps a label to its values (at most five series, each with its own mark).
    NaN and infinite values are left out, as gaps, as matplotlib leaves them; the scale
    spans the finite ones. ``width`` defaults to the longest series' length.
    """
    if not hasattr(series, "items") or not 1 <= len(series) <= len(_MARKS):
        raise ValueError(f"series must be a dict of 1 to {len(_MARKS)} labels and their "
                         f"values; got {series!r:.80}")
    values = {}
    for label, points in series.items():
        values[label] = np.asarray(points, dtype=float)
        if values[label].ndim != 1 or not values[label].size:
            raise ValueError(f"series {label!r} must be a non-empty 1-D sequence of numbers; "
                             f"got shape {values[label].shape}")
    finite = np.concatenate([v[np.isfinite(v)] for v in values.values()])
    if not finite.size:
        raise ValueError("every value of every series is NaN or infinite: nothing to plot")
    if not is_int_at_least(height, 2):
        raise ValueError(f"height must be an integer >= 2; got {height!r}")
    width = positive_int("width", max(v.size for v in values.values()) if width is None
                         else width)
    low, high = finite.min(), finite.max()
    span = high - low or 1.0
    grid = [[" "] * width for _ in range(height)]
    for mark, v in zip(_MARKS, values.values()):
        columns = np.linspace(0, width - 1, v.size).round().astype(int)
        shown = np.isfinite(v)
        rows = ((high - v[shown]) / span * (height - 1)).round().astype(int)
        for row, column in zip(rows, columns[shown]):
            grid[row][column] = mark
    lines = [f"{high - r * span / (height - 1):8.3f} |" + "".join(row)
             for r, row in enumerate(grid)]
    legend = "   ".join(f"{mark} {label}" for mark, label in zip(_MARKS, values))
    return "\n".join(lines + [" " * 9 + "+" + "-" * width, " " * 10 + legend])


_SHADES = " .:-=+*#%@"


def _labels(axis, labels, count):
    """``labels`` as ``count`` strings (their indices when None), or a ValueError naming
    the argument when there are more or fewer; ``axis``: 'row' or 'column'."""
    if labels is None:
        return [str(index) for index in range(count)]
    labels = [str(label) for label in labels]
    if len(labels) != count:
        raise ValueError(f"{axis}_labels must have one label per {axis} of the values, "
                         f"{count}; got {len(labels)}")
    return labels


def heatmap(values, row_labels=None, column_labels=None):
    """Shade a 2-D array of finite, non-negative values (attention weights, say), darker
    for larger, scaled to the maximum; returns the map as a string. The labels, one per
    row and one per column, default to the indices."""
    values = np.asarray(values, dtype=float)
    if values.ndim != 2 or not values.size:
        raise ValueError(f"heatmap needs a non-empty 2-D array; got shape {values.shape}")
    if not np.isfinite(values).all() or (values < 0).any():
        raise ValueError("heatmap shades finite values >= 0; got "
                         f"{values[~np.isfinite(values) | (values < 0)][0]}")
    rows, columns = values.shape
    row_labels = _labels("row", row_labels, rows)
    column_labels = _labels("column", column_labels, columns)
    width = max(3, max(len(label) for label in column_labels))
    margin = max(len(label) for label in row_labels)
    levels = np.rint(values / (values.max() or 1.0) * (len(_SHADES) - 1)).astype(int)
    lines = [" " * margin + " " + "".join(label.rjust(width) for label in column_labels)]
    for label, row in zip(row_labels, levels):
        lines.append(label.rjust(margin) + " " + "".join((_SHADES[level] * 2).rjust(width)
                                                         for level in row))
    return "\n".join(lines)
