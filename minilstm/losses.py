r"""Losses with Keras's names, formulas and reduction, and their gradients.

Reduction is Keras's: each loss is first reduced over the last axis, then
averaged over every other axis (samples and timesteps). With M = y.size / K
rows of K values each, the loss of row r being l_r (``per_row``), L = 1/M Σ_r l_r;
weighted by a sample weight w_r a row, L = 1/M Σ_r w_r l_r (``weighted``)::

    mse                       L = 1/M Σ_rows mean_k (p - y)²        dL/dp = 2 (p - y) / (M K)
    mae                       L = 1/M Σ_rows mean_k |p - y|         dL/dp = sign(p - y) / (M K)
    huber (Huber(delta=δ))    L = 1/M Σ_rows mean_k h(p - y),  h(e) = ½ e² for |e| <= δ, else
                              δ (|e| - ½ δ)               dL/dp = clip(p - y, -δ, δ) / (M K)
    log_cosh                  L = 1/M Σ_rows mean_k log cosh(p - y)  dL/dp = tanh(p - y) / (M K)
    categorical_crossentropy  q = clip(p / Σ_k p_k, ε, 1 - ε),  L = -1/M Σ_rows Σ_k y_k log q_k
    sparse_categorical_crossentropy   the categorical one, the targets given as class
                              indices c (y = the one-hot row of c)
    binary_crossentropy       q = clip(p, ε, 1 - ε),
                              L = -1/M Σ_rows mean_k [y_k log q_k + (1 - y_k) log(1 - q_k)]

(the binary form's gradient: dL/dp = ((1 - y)/(1 - q) - y/q) / (M K) where p lies inside
the clip, 0 outside). Cross-entropy after a softmax, or the binary one after a sigmoid, is
best computed from the logits z (Keras does the same when it can): no clipping is needed and
the gradient takes its fused, stable form::

    categorical  L = -1/M Σ_rows Σ_k y_k (z_k - logsumexp(z))   dL/dz = (softmax(z) Σ_k y_k - y) / M
    binary       L = 1/(M K) Σ [max(z, 0) - z y + log(1 + e^{-|z|})]   dL/dz = (σ(z) - y) / (M K)

``CategoricalCrossentropy(from_logits=True)`` and ``BinaryCrossentropy(from_logits=True)``,
as in Keras, take ``y_pred`` as those logits z (a last layer without activation) and compute
this form from them. After a softmax layer (a sigmoid one), a model computes it from that
layer's own logits either way (as TF Keras does, warning that the flag was set for
probabilities).
"""
import numpy as np

from .checks import first_non_index, flag, positive_number
from .kernels import error_losses
from .kernels.sigmoid_crossentropy import (binary_crossentropy_from_logits,
                                           binary_crossentropy_per_row)
from .kernels.softmax_crossentropy import crossentropy_from_logits, crossentropy_per_row
from .naming import lookup
from .utils import one_hot

EPSILON = 1e-7  # Keras's backend epsilon, the clip of both cross-entropies


class Loss:
    """``loss(y_true, y_pred)`` is the scalar; ``loss.gradient`` is dL/dy_pred."""

    name = "loss"
    fused_activation = None    # the last layer's activation whose logits the loss reads

    def __call__(self, y_true, y_pred):
        raise NotImplementedError

    def gradient(self, y_true, y_pred):
        raise NotImplementedError

    def value_and_gradient(self, y_true, y_pred):
        """``(loss, dL/dy_pred)``, as one training step needs them."""
        return self(y_true, y_pred), self.gradient(y_true, y_pred)

    def get_config(self):
        """The constructor arguments, as JSON values: ``type(loss)(**config)`` rebuilds it."""
        return {}

    @staticmethod
    def target_shape(output_shape):
        """The shape of the targets for a model's ``output_shape``: the same, but for the
        sparse cross-entropy's class indices."""
        return output_shape

    def per_row(self, y_true, y_pred):
        """The loss of each row of ``y_pred`` (every axis but the last), whose mean is the
        loss: what Keras's ``sample_weight`` weighs (``weighted``). A loss of the user's
        writes it to train with sample or class weights."""
        raise NotImplementedError(self._no_rows())

    def _no_rows(self):
        return (f"loss {self.name!r} gives no loss per row (per_row), which sample_weight, "
                "class_weight and a mask of the output's steps weigh")

    def require_rows(self):
        """A NotImplementedError, before any training, when the loss gives no ``per_row``."""
        if type(self).per_row is Loss.per_row:
            raise NotImplementedError(self._no_rows())

    @staticmethod
    def row_classes(y):
        """The class of each row of the targets ``y``, which ``class_weight`` weighs: its
        argmax, or 0/1 for one value a row (the sparse cross-entropy's: its class index)."""
        if y.shape[-1] == 1:
            return (y[..., 0] > 0.5).astype(np.int64)
        return y.argmax(axis=-1)

    def __repr__(self):
        arguments = ", ".join(f"{key}={value!r}" for key, value in self.get_config().items())
        return f"{type(self).__name__}({arguments})"


class _ErrorLoss(Loss):
    """A loss of the error p - y alone. Its kernel, the function of ``kernels.error_losses``
    named as the loss, gives the value and the gradient in one pass (looked up at each call,
    so that a benchmark's timer wrapped around it is found), given ``_options`` after the
    arrays; ``_values(e)``, its NumPy form of each error, gives ``per_row``."""

    _options = ()

    def __call__(self, y_true, y_pred):
        return self.value_and_gradient(y_true, y_pred)[0]

    def gradient(self, y_true, y_pred):
        return self.value_and_gradient(y_true, y_pred)[1]

    def value_and_gradient(self, y_true, y_pred):
        return getattr(error_losses, self.name)(y_true, y_pred, *self._options)

    def per_row(self, y_true, y_pred):
        return error_losses.error_per_row(y_true, y_pred, self._values)


class MeanSquaredError(_ErrorLoss):
    name = "mean_squared_error"
    _values = staticmethod(np.square)


class MeanAbsoluteError(_ErrorLoss):
    name = "mean_absolute_error"
    _values = staticmethod(np.abs)


class Huber(_ErrorLoss):
    """Huber's loss, as Keras's ``Huber(delta=1.0)`` (``'huber'``): ½ e² for errors up to
    ``delta`` in size, linear beyond (``kernels.error_losses``)."""

    name = "huber"

    def __init__(self, delta=1.0):
        self.delta = positive_number("delta", delta)
        self._options = (self.delta,)

    def get_config(self):
        return {"delta": self.delta}

    def _values(self, error):
        return error_losses.huber_values(error, self.delta)   # a float: e's dtype is kept


class LogCosh(_ErrorLoss):
    """log cosh of the error, as Keras's ``LogCosh`` (``'log_cosh'``): about ½ e² for small
    errors and |e| - log 2 for large ones (``kernels.error_losses``)."""

    name = "log_cosh"
    _values = staticmethod(error_losses.log_cosh_values)


class _Crossentropy(Loss):
    """What the cross-entropies share: ``from_logits`` (``y_pred`` holds the logits z,
    not probabilities: Keras's flag), and the fused form from the logits of the activation
    named ``fused_activation``, which a model uses when its last layer ends in it. A
    subclass writes the form on probabilities, ``_value`` and ``_gradient``, and calls its
    kernel's fused form, ``_fused``; ``_arrays`` makes the targets and the prediction
    arrays of one shape."""

    fused_activation = None

    def __init__(self, from_logits=False):
        self.takes_logits = flag("from_logits", from_logits)

    def get_config(self):
        return {"from_logits": self.takes_logits}

    def __call__(self, y_true, y_pred):
        if self.takes_logits:
            return self.value_and_gradient(y_true, y_pred)[0]
        return self._value(*self._arrays(y_true, y_pred))

    def gradient(self, y_true, y_pred):
        if self.takes_logits:
            return self.value_and_gradient(y_true, y_pred)[1]
        return self._gradient(*self._arrays(y_true, y_pred))

    def value_and_gradient(self, y_true, y_pred):
        if self.takes_logits:          # y_pred: the logits, as arrays of a float dtype
            return self._fused(*self._arrays(y_true, y_pred))
        return super().value_and_gradient(y_true, y_pred)

    def value_and_gradient_from_logits(self, y_true, logits):
        """``(loss, dL/dz)`` from the logits ``z`` in one pass of the kernel: what a
        training step needs."""
        return self._fused(y_true, logits)

    def _arrays(self, y_true, y_pred):
        return error_losses.as_same_shape_arrays(y_true, y_pred)

    def per_row(self, y_true, y_pred):
        y_true, y_pred = self._arrays(y_true, y_pred)
        return self._rows_of_logits(y_true, y_pred) if self.takes_logits \
            else self._rows(y_true, y_pred)

    def per_row_from_logits(self, y_true, logits):
        """``per_row`` from the logits a model hands over (its fused path)."""
        return self._rows_of_logits(y_true, logits)

    def _value(self, y_true, y_pred):
        return float(self._rows(y_true, y_pred).mean())

    def from_logits(self, y_true, logits):
        return self.value_and_gradient_from_logits(y_true, logits)[0]

    def gradient_from_logits(self, y_true, logits):
        return self.value_and_gradient_from_logits(y_true, logits)[1]


class CategoricalCrossentropy(_Crossentropy):
    """Cross-entropy over classes on the last axis; fused with a softmax."""

    name = "categorical_crossentropy"
    fused_activation = "softmax"

    _rows_of_logits = staticmethod(crossentropy_per_row)

    @staticmethod
    def _rows(y_true, y_pred):
        normalised = y_pred / y_pred.sum(axis=-1, keepdims=True)        # (..., K)
        clipped = np.clip(normalised, EPSILON, 1.0 - EPSILON)
        return -(y_true * np.log(clipped)).sum(axis=-1)                  # (...)

    def _gradient(self, y_true, y_pred):
        rows = y_pred.size // y_pred.shape[-1]
        total = y_pred.sum(axis=-1, keepdims=True)                  # (..., 1)
        normalised = y_pred / total                                 # (..., K)
        inside = (normalised > EPSILON) & (normalised < 1.0 - EPSILON)
        clipped = np.clip(normalised, EPSILON, 1.0 - EPSILON)
        d_normalised = np.where(inside, -y_true / clipped / rows, 0.0)  # (..., K)
        through_sum = (d_normalised * normalised).sum(axis=-1, keepdims=True)
        return ((d_normalised - through_sum) / total).astype(y_pred.dtype)

    def _fused(self, y_true, logits):
        """One softmax of the logits, the loss and dL/dz (``kernels.softmax_crossentropy``)."""
        return crossentropy_from_logits(y_true, logits)


class SparseCategoricalCrossentropy(CategoricalCrossentropy):
    """The categorical cross-entropy of targets given as class indices (Keras's): one
    integer per row of the prediction, ``y_true (...)`` or ``(..., 1)`` for ``y_pred
    (..., K)``, read as the one-hot rows they stand for (``one_hot_of_labels``)."""

    name = "sparse_categorical_crossentropy"

    @staticmethod
    def target_shape(output_shape):
        return output_shape[:-1] + (1,)

    @staticmethod
    def row_classes(y):
        return y[..., 0].astype(np.int64)

    def _arrays(self, y_true, y_pred):
        y_pred = np.asarray(y_pred)
        y_pred = y_pred.astype(np.result_type(y_pred, np.float32), copy=False)
        return one_hot_of_labels(y_true, y_pred), y_pred

    def value_and_gradient_from_logits(self, y_true, logits):
        return self._fused(one_hot_of_labels(y_true, logits), logits)

    def per_row_from_logits(self, y_true, logits):
        return self._rows_of_logits(one_hot_of_labels(y_true, logits), logits)


def one_hot_of_labels(y_true, y_pred):
    """The one-hot rows, of ``y_pred``'s dtype and shape ``(..., K)``, that the class indices
    ``y_true`` stand for (``(...)`` or ``(..., 1)``); a ValueError names targets of another
    shape, or a value that is no integer in [0, K) (NumPy would have indexed from the end,
    or failed without naming the targets)."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    rows = y_pred.shape[:-1]
    if y_true.shape == rows + (1,):
        y_true = y_true[..., 0]
    elif y_true.shape != rows:
        raise ValueError(f"y_true must hold one class index for each row of y_pred "
                         f"{y_pred.shape}: shape {rows} or {rows + (1,)}; got {y_true.shape}")
    classes = y_pred.shape[-1]
    if y_true.dtype.kind not in "iuf":
        raise ValueError(f"y_true must hold class indices, integers; got dtype {y_true.dtype}")
    bad = first_non_index(y_true, classes)
    if bad is not None:
        raise ValueError(f"y_true must hold class indices, integers in [0, {classes}) for "
                         f"y_pred's {classes} classes; got {bad!r}")
    return one_hot(y_true, classes, y_pred.dtype)


class BinaryCrossentropy(_Crossentropy):
    """Cross-entropy of each value as the probability of a yes (0/1 targets, one or more
    per sample: multi-label); fused with a sigmoid."""

    name = "binary_crossentropy"
    fused_activation = "sigmoid"

    _rows_of_logits = staticmethod(binary_crossentropy_per_row)

    @staticmethod
    def _rows(y_true, y_pred):
        clipped = np.clip(y_pred, EPSILON, 1.0 - EPSILON)              # (...)
        per_value = y_true * np.log(clipped) + (1.0 - y_true) * np.log(1.0 - clipped)
        return -per_value.mean(axis=-1)                                  # (...)

    def _gradient(self, y_true, y_pred):
        inside = (y_pred > EPSILON) & (y_pred < 1.0 - EPSILON)          # (...)
        clipped = np.clip(y_pred, EPSILON, 1.0 - EPSILON)
        d_clipped = (1.0 - y_true) / (1.0 - clipped) - y_true / clipped
        return np.where(inside, d_clipped / y_pred.size, 0.0).astype(y_pred.dtype)

    def _fused(self, y_true, logits):
        """The loss and dL/dz from the logits (``kernels.sigmoid_crossentropy``)."""
        return binary_crossentropy_from_logits(y_true, logits)


_LOSSES = {
    "mse": MeanSquaredError,
    "mean_squared_error": MeanSquaredError,
    "mae": MeanAbsoluteError,
    "mean_absolute_error": MeanAbsoluteError,
    "huber": Huber,
    "huber_loss": Huber,
    "log_cosh": LogCosh,
    "logcosh": LogCosh,
    "categorical_crossentropy": CategoricalCrossentropy,
    "binary_crossentropy": BinaryCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
}


def weighted_value(per_row, weights):
    """L = 1/M Σ_r w_r l_r over the M rows: Keras's loss weighted by its ``sample_weight``
    (divided by M, not by Σ w)."""
    return float(np.mean(per_row * weights))


def weighted(per_row, gradient, weights):
    """``(L, dL/dp)`` weighted by ``weights``, one per row (``weighted_value``): each row of
    the unweighted gradient times its weight (dL/dp_r = w_r dl_r/dp_r / M)."""
    weights = weights.astype(gradient.dtype, copy=False)                 # (...)
    return weighted_value(per_row, weights), gradient * weights[..., None]


def get(loss):
    """A loss from its name (``'mse'``, ``'mae'``, ``'categorical_crossentropy'``,
    ``'sparse_categorical_crossentropy'``, ``'binary_crossentropy'``, and the long names) or
    a ``Loss`` instance."""
    if isinstance(loss, Loss):
        return loss
    return lookup("loss", loss, _LOSSES, also="a minilstm Loss")()


def misread(loss, activation, layer):
    """Why ``loss`` misreads the output of ``layer`` (its words, for the message), whose
    activation is ``activation``, or None when it reads it right (or the activation is not
    known): a cross-entropy takes probabilities, or with ``from_logits`` logits. Linear,
    tanh or relu outputs are no probabilities: normalised by row sums that may be negative
    or zero (categorical), or clipped to (0, 1) (binary), they gave a loss that never moved
    (its gradient zero) or an infinite gradient."""
    if not isinstance(loss, _Crossentropy) or activation is None:
        return None
    fused = loss.fused_activation
    if loss.takes_logits and activation == fused:
        return (f"the loss was given from_logits=True, but {layer} ends in a {fused}, whose "
                f"output is no logits: the loss is computed from the {fused}'s own logits, as "
                "TF Keras does, warning the same")
    if not loss.takes_logits and activation in ("linear", "tanh", "relu"):
        return (f"{loss.name} takes probabilities, but {layer} has activation "
                f"{activation!r}, whose outputs are none: give it activation={fused!r}, or "
                f"compile with losses.{type(loss).__name__}(from_logits=True) to read them "
                "as logits")
    return None


def output_is_logits(loss, activation):
    """Whether a model whose last layer has ``activation`` outputs the logits ``loss`` reads:
    a loss given ``from_logits=True``, unless the layer ends in the activation it fuses with
    (whose own logits it then reads, the output staying probabilities)."""
    return getattr(loss, "takes_logits", False) and activation != loss.fused_activation


def known(name):
    """Whether ``name`` is the name of one of the losses above."""
    return name.lower() in _LOSSES
