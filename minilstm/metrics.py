"""Metrics reported by ``fit`` and ``evaluate``, averaged like Keras's.

    accuracy / acc   categorical: argmax(y_true) == argmax(y_pred), averaged
                     over samples and timesteps (binary, threshold 0.5, when
                     the last axis has one value)
    mae / mse        the losses of the same names

or a function ``(y_true, y_pred) -> float`` of the user's, logged under its name.
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


def get(metric):
    """A metric function ``(y_true, y_pred) -> float`` from its name, or the function
    itself (a metric of the user's, as Keras takes one)."""
    if callable(metric):
        return metric
    return lookup("metric", metric, _METRICS, also="a function (y_true, y_pred) -> float")


def known(name):
    """Whether ``name`` is the name of one of the metrics above."""
    return name.lower() in _METRICS


def name_of(metric):
    """The metric's key in the logs: its name, lower-cased, or the function's name (a
    loss object's ``name``)."""
    if isinstance(metric, str):
        return metric.lower()
    return getattr(metric, "__name__", None) or getattr(metric, "name", "metric")
