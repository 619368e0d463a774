"""Optional PNG output: matplotlib is an extra, never a dependency."""


def load_pyplot(path):
    """``matplotlib.pyplot`` drawing to files, or ``None`` after saying why ``path`` is skipped."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as pyplot
    except ImportError:
        print(f"--plot {path}: matplotlib is not installed (pip install 'minilstm[plot]'); "
              "the text charts above show the same data")
        return None
    return pyplot
