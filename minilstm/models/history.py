"""The record ``fit`` returns, shaped like Keras's ``History``."""


class History:
    """``history.history[name]`` is the per-epoch list for ``loss``, each metric and
    ``val_*``; ``epoch`` the epochs' numbers, from 0 (or from ``fit``'s ``initial_epoch``);
    ``params`` Keras's ``verbose``, ``epochs``, ``steps``, with ``batch_size``, ``samples``
    and Keras 2's ``metrics``, the names the logs hold (what callbacks are given)."""

    def __init__(self, params=None):
        self.history = {}
        self.epoch = []
        self.params = dict(params or {})

    def record(self, epoch, logs):
        self.epoch.append(epoch)
        for name, value in logs.items():
            self.history.setdefault(name, []).append(value)

    def __repr__(self):
        return f"History(epochs={len(self.epoch)}, keys={list(self.history)})"
