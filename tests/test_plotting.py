"""Text charts always work; PNG output says clearly when matplotlib is missing."""
import builtins

import numpy as np

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
