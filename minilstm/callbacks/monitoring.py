"""The logged quantity a callback watches, and which way it is better.

EarlyStopping, ModelCheckpoint(save_best_only=True) and ReduceLROnPlateau each watch one
of the names ``fit`` logs (``monitor``: ``'val_loss'``, ``'acc'``...). With ``mode='auto'``
the direction comes from the name, as in Keras: lower is better for the loss and the error
metrics (``mae``, ``mse``), higher for the accuracies. A metric function of the user's
needs ``mode='min'`` or ``mode='max'``, as in Keras 3's EarlyStopping (Keras 2 guessed from
whether the name held 'acc'). A value improves on a reference by more than ``min_delta``::

    min:  current < reference - min_delta        max:  current > reference + min_delta
"""
import math

from .. import metrics
from ..checks import finite_number

MODES = ("auto", "min", "max")


class Monitor:
    """``monitor`` as ``owner`` (the callback's class name, for messages) watches it."""

    def __init__(self, owner, monitor, mode="auto", min_delta=0.0):
        if not isinstance(monitor, str) or not monitor:
            raise ValueError(f"{owner}'s monitor must be the name of a logged value, such as "
                             f"'val_loss'; got {monitor!r}")
        if mode not in MODES:
            raise ValueError(f"{owner}'s mode must be one of {', '.join(map(repr, MODES))}; "
                             f"got {mode!r}")
        self.owner, self.name, self.mode = owner, monitor, mode
        self.min_delta = abs(finite_number(f"{owner}'s min_delta", min_delta))
        self.lower_is_better = None if mode == "auto" else mode == "min"

    def start(self, logged):
        """Before training: a ValueError unless ``monitor`` is one of ``logged``, the names
        the run logs (``params['metrics']``), and its direction is known."""
        if self.name not in logged:
            hint = ("; the val_ values need validation_data or validation_split"
                    if self.name.startswith("val_") and not any(
                        name.startswith("val_") for name in logged) else "")
            raise ValueError(f"{self.owner} monitors {self.name!r}, which this fit does not "
                             f"log: it logs {', '.join(map(repr, logged))}{hint}")
        if self.mode == "auto":
            self.lower_is_better = self._lower_is_better_by_name()

    def _lower_is_better_by_name(self):
        base = self.name[len("val_"):] if self.name.startswith("val_") else self.name
        if base == "loss":
            return True
        higher = metrics.higher_is_better(base)
        if higher is None:
            raise ValueError(f"{self.owner} cannot tell whether {self.name!r} is better higher "
                             "or lower: give mode='max' or mode='min'")
        return not higher

    @property
    def worst(self):
        """The value every first reading improves on."""
        return math.inf if self.lower_is_better else -math.inf

    def improves(self, current, reference):
        """Whether ``current`` improves on ``reference`` by more than ``min_delta``."""
        if self.lower_is_better:
            return current < reference - self.min_delta
        return current > reference + self.min_delta
