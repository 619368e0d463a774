"""Text charts always work; PNG output says clearly when matplotlib is missing."""
import builtins

import numpy as np
import pytest

from minilstm.plotting import load_pyplot
from minilstm.textplot import heatmap, line_chart


def test_load_pyplot_explains_a_missing_matplotlib(monkeypatch, capsys):
    real_import = builtins.__import__

    def import_without_matplotlib(name, *args, **kwargs):
        if name.startswith("matplotlib"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", import_without_matplotlib)
    assert load_pyplot("out.png") is None
    assert "--plot out.png: matplotlib is not installed" in capsys.readouterr().out


def test_line_chart_marks_each_series_and_spans_its_range():
    chart = line_chart({"up": [0.0, 1.0, 2.0], "down": [2.0, 1.0, 0.0]}, height=3, width=3)
    lines = chart.splitlines()
    assert lines[0].startswith("   2.000 |") and lines[0].endswith("o *")
    assert lines[2].startswith("   0.000 |") and lines[2].endswith("* o")
    assert "* up   o down" in chart


def test_heatmap_shades_the_largest_value_darkest():
    text = heatmap(np.array([[0.0, 1.0], [0.5, 0.0]]), row_labels=["a", "b"],
                   column_labels=["x", "y"])
    rows = text.splitlines()
    assert rows[1].split() == ["a", "@@"]           # 0 is blank, 1.0 the darkest
    assert rows[2].split() == ["b", "=="]           # 0.5: the middle shade


def test_heatmap_labels_may_be_numbers_or_an_array():
    """Input tokens as integers, or an array of strings, failed in str methods or in the
    truth value of an array."""
    text = heatmap(np.array([[1.0, 0.0]]), row_labels=np.array(["t1"]), column_labels=[7, 12])
    assert text.splitlines() == ["     7 12", "t1  @@   "]


def test_line_chart_leaves_non_finite_values_out_as_gaps():
    """The scale spans the finite values; the NaN and the inf get no mark, as in matplotlib."""
    chart = line_chart({"loss": [1.0, np.nan, np.inf, 0.0]}, height=2, width=4)
    lines = chart.splitlines()
    assert lines[0] == "   1.000 |*   "
    assert lines[1] == "   0.000 |   *"


@pytest.mark.parametrize("call, message", [
    (lambda: line_chart({"loss": []}), r"series 'loss' must be a non-empty 1-D sequence"),
    (lambda: line_chart({"loss": [[1.0, 2.0]]}), r"1-D sequence of numbers; got shape \(1, 2\)"),
    (lambda: line_chart({"loss": [np.nan, np.inf]}), r"NaN or infinite: nothing to plot"),
    (lambda: line_chart({str(k): [1.0] for k in range(6)}), r"a dict of 1 to 5 labels"),
    (lambda: line_chart([1.0, 2.0]), r"a dict of 1 to 5 labels .*; got \[1.0, 2.0\]"),
    (lambda: line_chart({"loss": [1.0, 2.0]}, height=1), r"height must be an integer >= 2"),
    (lambda: line_chart({"loss": [1.0, 2.0]}, width=-3), r"width must be a positive integer"),
    (lambda: heatmap(np.array([0.1, 0.2])), r"2-D array; got shape \(2,\)"),
    (lambda: heatmap(np.zeros((0, 3))), r"non-empty 2-D array; got shape \(0, 3\)"),
    (lambda: heatmap(np.ones((1, 2)), row_labels=["a", "b"]),
     r"row_labels must have one label per row of the values, 1; got 2"),
    (lambda: heatmap(np.ones((1, 2)), column_labels=["x"]),
     r"column_labels must have one label per column of the values, 2; got 1"),
    (lambda: line_chart({"loss": [1.0, 2.0]}, width=0), r"width must be a positive integer"),
    (lambda: heatmap(np.array([[0.1, np.nan]])), r"finite values >= 0; got nan"),
    (lambda: heatmap(np.array([[0.1, -0.3]])), r"finite values >= 0; got -0.3"),
])
def test_charts_refuse_what_they_cannot_draw_by_name(call, message):
    with pytest.raises(ValueError, match=message):
        call()
