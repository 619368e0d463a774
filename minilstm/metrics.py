"""Metrics reported by ``fit`` and ``evaluate``, averaged like Keras's.

    accuracy / acc   categorical: argmax(y_true) == argmax(y_pred), averaged
                     over samples and timesteps (binary, threshold 0.5, when
                     the last axis has one value)
    mae / mse        the losses of the same names
"""
import numpy as np

from . import losses
from .naming import lookup


def accuracy(y_true, y_pred):
    if y_pred.shape[-1] == 1:
        hits = (y_pred > 0.5) == (y_true > 0.5)
    else:
        hits = y_true.argmax(axis=-1) == y_pred.argmax(axis=-1)
    return int(np.count_nonzero(hits)) / hits.size


_METRICS = {
    "accuracy": accuracy,
    "acc": accuracy,
    "categorical_accuracy": accuracy,
    "mae": losses.MeanAbsoluteError(),
    "mean_absolute_error": losses.MeanAbsoluteError(),
    "mse": losses.MeanSquaredError(),
    "mean_squared_error": losses.MeanSquaredError(),
}


def get(name):
    """A metric function ``(y_true, y_pred) -> float`` from its name."""
    return lookup("metric", name, _METRICS)
