"""Keras-style progress output for ``fit``/``evaluate``.

``verbose=1``: a bar redrawn in place with the running loss and an ETA
(on a terminal; elsewhere only the finished line is written).
``verbose=2``: one line per epoch. ``verbose=0``: nothing. ``verbose="auto"``
(Keras 3's default): 1.
"""
import sys
import time

_REDRAW_EVERY_S = 0.1
_VERBOSITY = {"auto": 1, 0: 0, 1: 1, 2: 2}     # True and False count as 1 and 0


def checked_verbose(verbose):
    """``verbose`` as 0, 1 or 2; a ValueError naming it when it is none of those or 'auto'."""
    try:
        return _VERBOSITY[verbose]
    except (KeyError, TypeError):
        raise ValueError(f"verbose must be 0, 1, 2 or 'auto'; got {verbose!r}") from None


def format_logs(logs):
    return " - ".join(f"{name}: {value:.4f}" for name, value in logs.items())


def format_duration(seconds):
    if seconds >= 3600:
        return f"{int(seconds // 3600)}:{int(seconds % 3600 // 60):02d}:{int(seconds % 60):02d}"
    if seconds >= 60:
        return f"{int(seconds // 60)}:{int(seconds % 60):02d}"
    return f"{seconds:.0f}s"


class ProgressBar:
    """Progress over ``target`` steps (batches), Keras's layout."""

    def __init__(self, target, verbose=1, stream=None, width=30):
        self.target = target
        self.verbose = verbose
        self.stream = stream or sys.stdout
        self.width = width
        self.start = time.perf_counter()
        self._last_draw = 0.0
        self._live = verbose == 1 and getattr(self.stream, "isatty", lambda: False)()

    def _bar(self, current):
        digits = len(str(self.target))
        filled = int(self.width * current / self.target)
        arrow = ">" if current < self.target else "="
        bar = ("=" * max(filled - 1, 0) + arrow if filled else "") + "." * (self.width - filled)
        return f"{current:{digits}d}/{self.target} [{bar[:self.width]}]"

    def update(self, current, logs):
        """Redraw after ``current`` steps, at most every 0.1 s."""
        if not self._live:
            return
        now = time.perf_counter()
        if now - self._last_draw < _REDRAW_EVERY_S and current < self.target:
            return
        self._last_draw = now
        eta = (now - self.start) / current * (self.target - current)
        line = f"{self._bar(current)} - ETA: {format_duration(eta)}"
        if logs:
            line += " - " + format_logs(logs)
        self.stream.write("\r" + line)
        self.stream.flush()

    def finish(self, logs):
        """The closing line: total time, time per step and the final logs."""
        if self.verbose == 0:
            return
        elapsed = time.perf_counter() - self.start
        per_step = elapsed / max(self.target, 1)
        per_step_text = f"{per_step * 1e3:.0f}ms/step" if per_step >= 1e-3 \
            else f"{per_step * 1e6:.0f}us/step"
        head = (self._bar(self.target) if self.verbose == 1
                else f"{self.target}/{self.target}") + " - "
        line = f"{head}{format_duration(elapsed)} {per_step_text}"
        if logs:
            line += " - " + format_logs(logs)
        self.stream.write(("\r" if self._live else "") + line + "\n")
        self.stream.flush()
