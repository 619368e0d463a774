"""Metrics reported by ``fit`` and ``evaluate``, averaged like Keras's.

    accuracy / acc   categorical: argmax(y_true) == argmax(y_pred), averaged
                     over samples and timesteps (binary, threshold 0.5, when
                     the last axis has one value)
    mae / mse        the losses of the same names
"""
from . import losses
from .kernels import accuracy as accuracy_kernel
from .naming import lookup


def accuracy(y_true, y_pred):
    """The share of predictions whose class is the target's (``kernels.accuracy``)."""
    return accuracy_kernel.accuracy(y_true, y_pred)


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
