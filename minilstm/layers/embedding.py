r"""Embedding: integer indices to rows of a trained matrix, as Keras's layer.

    y[b, t] = E[i_bt]                     i (B, T) integers in [0, V), E (V, D)
    dL/dE[v] = Σ_{b, t: i_bt = v} dL/dy[b, t]

(any rank of indices: ``(B, ...) -> (B, ..., D)``). The indices have no gradient, so an
Embedding reads the model's data: it is a model's first layer. It is the one-hot input
times E, computed as a row look-up: ``x_onehot E`` costs V·D multiply-adds a row where the
look-up copies D values.
"""
import numpy as np

from .. import initializers
from ..checks import first_non_index, flag, positive_int
from .base import Layer, checked_weight_array


class Embedding(Layer):
    """Map each index in ``[0, input_dim)`` to a trained vector of ``output_dim`` values.

    Args:
        input_dim: the vocabulary's size V; output_dim: the vectors' size D.
        embeddings_initializer: Keras's default ``'uniform'`` (U(-0.05, 0.05)), or any name
            or callable an initializer takes.
        input_length: Keras 2's sequence length (``input_shape=(input_length,)``).
        mask_zero: mask index 0, as Keras's: the output carries a mask of the steps, false
            where the index is 0 (padding, as ``pad_sequences`` pads), which the layers after
            it read (an LSTM carries its state over those steps; ``Layer`` protocol). Index 0
            is then padding alone: ``input_dim`` counts it (a vocabulary of n words and the
            padding: n + 1).
        weights: the matrix to start from (pretrained vectors), ``(input_dim, output_dim)``
            or Keras 2's list of it, checked when the layer is built.
        trainable: False freezes the matrix (``Layer.trainable``).

    Example::

        Embedding(5000, 32, input_length=500)   # (None, 500) -> (None, 500, 32): 160,000
        Embedding(vocab, 100, weights=[glove], trainable=False)   # pretrained, frozen
    """

    weight_names = ("embeddings",)
    reads_indices = True

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 mask_zero=False, input_length=None, weights=None, trainable=True,
                 input_shape=None, dtype="float32", name=None):
        if input_length is not None:
            if input_shape is not None:
                raise ValueError(f"give input_length or input_shape, not both; got "
                                 f"input_length={input_length!r} and "
                                 f"input_shape={input_shape!r}")
            input_shape = (positive_int("input_length", input_length),)
        super().__init__(name=name, dtype=dtype, input_shape=input_shape)
        self.input_dim = positive_int("input_dim", input_dim)
        self.output_dim = positive_int("output_dim", output_dim)
        self.mask_zero = flag("mask_zero", mask_zero)
        self.embeddings_initializer = initializers.checked(
            "embeddings_initializer",
            "random_uniform" if embeddings_initializer == "uniform" else embeddings_initializer)
        if isinstance(weights, (list, tuple)) and len(weights) == 1:
            weights = weights[0]                          # Keras 2's list of the layer's weights
        self._pretrained = None if weights is None else checked_weight_array(
            f"weights of Embedding {self.name!r}", weights, (self.input_dim, self.output_dim))
        self.trainable = trainable

    def get_config(self):
        return {**super().get_config(), "input_dim": self.input_dim,
                "output_dim": self.output_dim, "mask_zero": self.mask_zero,
                "embeddings_initializer": initializers.serialize(self.embeddings_initializer)}

    def _create_weights(self, input_shape, rng):
        initializer = self.embeddings_initializer if self._pretrained is None else (
            lambda shape, dtype, rng: self._pretrained)
        self._add_weight("embeddings", (self.input_dim, self.output_dim), initializer, rng)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    @property
    def makes_mask(self):
        """With ``mask_zero`` (``Layer`` protocol)."""
        return self.mask_zero

    def compute_mask(self, x, mask):
        """With ``mask_zero``, true where the index is not 0 ``(B, T)``; else None."""
        return np.asarray(x) != 0 if self.mask_zero else None

    def _indices(self, x):
        """``x`` as integer indices (a model hands them over as floats); a ValueError names
        a value that is none, or lies outside [0, input_dim)."""
        x = np.asarray(x)
        if x.dtype.kind not in "iuf":
            raise TypeError(f"x for Embedding {self.name!r} must hold integer indices; got "
                            f"dtype {x.dtype}")
        self._build_for(x)
        expected = self.input_shape
        if x.ndim != len(expected) or any(
                size is not None and size != actual for size, actual in zip(expected[1:],
                                                                            x.shape[1:])):
            raise ValueError(f"x for Embedding {self.name!r} must have shape "
                             f"{expected}; got {x.shape}")
        bad = first_non_index(x, self.input_dim)
        if bad is not None:
            raise ValueError(f"x for Embedding {self.name!r} must hold indices, integers in "
                             f"[0, {self.input_dim}); got {bad!r}")
        return x.astype(np.intp)

    def forward(self, x, training=False):
        self._indices_read = indices = self._indices(x)                 # (B, ...)
        return self.params["embeddings"][indices]                       # (B, ..., D)

    def backward(self, d_out, input_gradient=True):
        """Adds dL/dE; returns None, whatever ``input_gradient`` asks: the indices have no
        gradient (which is why a model takes an Embedding only as its first layer)."""
        self._require_forward("_indices_read")
        indices = self._indices_read
        d_out = self._check_gradient(d_out, indices.shape + (self.output_dim,))
        (target,) = self._gradient_outputs("embeddings")
        if target is None:
            target = np.zeros_like(self.params["embeddings"])           # (V, D)
        else:
            target.fill(0)
        np.add.at(target, indices.reshape(-1), d_out.reshape(-1, self.output_dim))
        self._add_grad("embeddings", target)
        return None
