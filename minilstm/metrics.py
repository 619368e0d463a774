"""Metrics reported by ``fit`` and ``evaluate``, averaged like Keras's.

    accuracy / acc   categorical: argmax(y_true) == argmax(y_pred), averaged
                     over samples and timesteps (binary, threshold 0.5, when
                     the last axis has one value); with the binary cross-entropy
                     as the loss, binary_accuracy, as Keras resolves it
    binary_accuracy  (y_pred > 0.5) == (y_true > 0.5), averaged over every value
                     (z > 0 for logits z, when the binary cross-entropy reads
                     its y_pred as logits)
    categorical_accuracy   the categorical accuracy, whatever the loss
    sparse_categorical_accuracy   the categorical accuracy of targets given as class
                     indices; what 'accuracy' is with the sparse cross-entropy
    mae / mse        the losses of the same names

or a function ``(y_true, y_pred)`` of the user's, logged under its name: what it returns,
one number or one per sample (or per step), is averaged, as Keras's ``MeanMetricWrapper``
averages a metric function's values.
"""
import functools

import numpy as np

from . import losses
from .kernels import accuracy as accuracy_kernel
from .naming import is_function, lookup, snake_case


def accuracy(y_true, y_pred):
    """The share of predictions whose class is the target's (``kernels.accuracy``)."""
    return accuracy_kernel.accuracy(y_true, y_pred)


def binary_accuracy(y_true, y_pred):
    """The share of values on the side of ½ that their target is on (Keras's)."""
    return accuracy_kernel.accuracy(y_true, y_pred, binary=True)


def binary_accuracy_of_logits(y_true, logits):
    """``binary_accuracy`` of σ(z), which is above ½ where z > 0 (Keras's own compares the
    logits with ½ and asks its users for ``BinaryAccuracy(threshold=0)``)."""
    logits = np.asarray(logits)
    return binary_accuracy(y_true, (logits > 0).astype(logits.dtype))


def sparse_categorical_accuracy(y_true, y_pred):
    """The share of rows whose predicted class is the class index in ``y_true``."""
    return accuracy(losses.one_hot_of_labels(y_true, y_pred), y_pred)


_METRICS = {
    "accuracy": accuracy,
    "acc": accuracy,
    "binary_accuracy": binary_accuracy,
    "categorical_accuracy": accuracy,
    "sparse_categorical_accuracy": sparse_categorical_accuracy,
    "mae": losses.MeanAbsoluteError(),
    "mean_absolute_error": losses.MeanAbsoluteError(),
    "mse": losses.MeanSquaredError(),
    "mean_squared_error": losses.MeanSquaredError(),
}


def get(metric, loss=None, logits=False):
    """A metric function ``(y_true, y_pred) -> float`` from its name, or from a function of
    the user's (as Keras takes one), whose values are averaged (``averaged``). Given the
    model's ``loss``: 'accuracy' of a binary cross-entropy is its binary accuracy, of the
    sparse one its sparse accuracy, as Keras resolves it, and with ``logits`` (the model
    outputs the logits that loss reads: ``losses.output_is_logits``) a binary accuracy
    reads them as logits."""
    if is_function(metric):
        return averaged(metric)
    function = lookup("metric", metric, _METRICS, also="a function (y_true, y_pred) -> float")
    binary = isinstance(loss, losses.BinaryCrossentropy)
    plain_accuracy = metric.lower() in ("accuracy", "acc")
    if function is binary_accuracy or (binary and plain_accuracy):
        return binary_accuracy_of_logits if binary and logits else binary_accuracy
    if plain_accuracy and isinstance(loss, losses.SparseCategoricalCrossentropy):
        return sparse_categorical_accuracy
    return function


def averaged(function):
    """``function`` as a metric: the mean of what it returns, one number or an array of
    them; anything else (None, a string, nothing) is a TypeError naming the metric, where
    the logs would have kept it, or a NaN, silently."""
    name = name_of(function)

    def metric(y_true, y_pred):
        value = function(y_true, y_pred)
        if isinstance(value, float):                    # the common case, first
            return value
        try:
            values = np.asarray(value)
        except ValueError:                              # a ragged list
            values = None
        if values is None or values.dtype.kind not in "biuf" or values.size == 0:
            raise TypeError(f"metric {name!r} must return a number or an array of numbers; "
                            f"got {type(value).__name__} {value!r:.60}")
        return float(values.mean())
    return metric


def names_of(metrics):
    """The names the logs keep ``metrics`` under (``name_of``), each once; a ValueError
    names a second metric of a name, or one named ``'loss'``, which would replace another's
    value in the logs (Keras refuses two metrics of one name too)."""
    names = []
    for metric in metrics:
        name = name_of(metric)
        if name == "loss":
            raise ValueError("a metric is named 'loss', the loss's own name in the logs: "
                             "give the function another name")
        if name in names:
            raise ValueError(f"two metrics are named {name!r}, and the logs keep one value "
                             "per name: give each metric a name of its own")
        names.append(name)
    return names


_HIGHER_IS_BETTER = {"accuracy", "acc", "binary_accuracy", "categorical_accuracy",
                     "sparse_categorical_accuracy"}


def known(name):
    """Whether ``name`` is the name of one of the metrics above."""
    return name.lower() in _METRICS


def higher_is_better(name):
    """Whether a higher value of the metric logged as ``name`` is better (the accuracies),
    or lower (the errors); None for a name of none of the metrics above (a function of the
    user's), whose direction only its author knows."""
    if not known(name):
        return None
    return name.lower() in _HIGHER_IS_BETTER


def name_of(metric):
    """The metric's key in the logs: its name, lower-cased, or the function's name (a
    loss object's ``name``; a ``functools.partial``'s function's; for another callable
    object, its class's name in snake case, as Keras names objects)."""
    if isinstance(metric, str):
        return metric.lower()
    if isinstance(metric, functools.partial):
        return name_of(metric.func)
    return getattr(metric, "__name__", None) or getattr(metric, "name", None) \
        or snake_case(type(metric).__name__)
