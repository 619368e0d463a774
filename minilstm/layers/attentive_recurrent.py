"""AttentiveLSTM: an LSTM decoder that attends over a memory, over ``kernels.attentive_lstm``.

The equations and their backward pass are in ``minilstm/kernels/attentive_lstm.py``.
"""
import numpy as np

from .. import initializers
from ..checks import flag, positive_int
from ..kernels import attentive_lstm as kernel
from .base import Layer, describe_gradients
from .recurrent_base import prepare_initial_state


class AttentiveLSTM(Layer):
    """LSTM whose every step also reads an attention-weighted context of a memory.

    Args:
        units: state size n.
        memory_dim: feature size D of the memory (the encoder's output size).
        attention_units: size A of the additive scores (default: ``units``).
        kernel_initializer: for ``kernel``, ``context_kernel``, ``W1``, ``W2``, ``v``.
        recurrent_initializer: for ``recurrent_kernel``.
        unit_forget_bias: forget-gate bias starts at 1, as in Keras's LSTM.
        dtype, name: see ``Layer``.

    Call arguments:
        ``forward(x, memory, initial_state, training=False)`` with ``x (B, T, K)``,
        ``memory (B, T_in, D)`` and ``initial_state=[h0, c0]`` returns
        ``[hidden (B, T, n), contexts (B, T, D), h_T, c_T]``; ``attention_weights``
        then holds ``(B, T, T_in)``. ``backward([d_hidden, d_contexts])``, or one
        gradient per output ``[d_hidden, d_contexts, d_h, d_c]`` (``None`` for zero),
        returns dL/dx and sets ``d_memory`` and ``d_initial_state``.
    """

    weight_names = kernel.AttentiveLSTMWeights._fields
    stack_refusal = ("reads a memory and an initial state besides its input, and returns four "
                     "arrays: EncoderDecoder(attention=True) feeds and reads it")

    def __init__(self, units, memory_dim, attention_units=None,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 unit_forget_bias=True, dtype="float32", name=None):
        super().__init__(name=name, dtype=dtype)
        self.units = positive_int("units", units)
        self.memory_dim = positive_int("memory_dim", memory_dim)
        self.attention_units = positive_int(
            "attention_units", self.units if attention_units is None else attention_units)
        self.kernel_initializer = initializers.checked("kernel_initializer", kernel_initializer)
        self.recurrent_initializer = initializers.checked("recurrent_initializer",
                                                          recurrent_initializer)
        self.unit_forget_bias = flag("unit_forget_bias", unit_forget_bias)
        self.attention_weights = None

    def get_config(self):
        return {**super().get_config(), "units": self.units, "memory_dim": self.memory_dim,
                "attention_units": self.attention_units,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
                "unit_forget_bias": self.unit_forget_bias}

    def _check_build_shape(self, input_shape):
        if len(input_shape) != 3 or input_shape[-1] is None:
            raise ValueError(f"AttentiveLSTM {self.name!r} needs input shape (batch, time, "
                             f"features) with known features; got {input_shape}")

    def _create_weights(self, input_shape, rng):
        units = self.units
        shapes = kernel.weight_shapes(input_shape[-1], self.memory_dim, units,
                                      self.attention_units)
        for name, shape in zip(self.weight_names, shapes):
            initializer = {"recurrent_kernel": self.recurrent_initializer,
                           "bias": "zeros"}.get(name, self.kernel_initializer)
            self._add_weight(name, shape, initializer, rng)
        if self.unit_forget_bias:
            self.params["bias"][units:2 * units] += 1.0

    def compute_output_shape(self, input_shape):
        batch, steps = input_shape[0], input_shape[1]
        return [(batch, steps, self.units), (batch, steps, self.memory_dim),
                (batch, self.units), (batch, self.units)]

    def forward(self, x, memory, initial_state, training=False):
        x = self._prepare_input(x)
        memory = np.ascontiguousarray(memory, dtype=self.dtype)
        if memory.ndim != 3 or memory.shape[2] != self.memory_dim \
                or memory.shape[0] != x.shape[0]:
            raise ValueError(f"memory for AttentiveLSTM {self.name!r} must have shape "
                             f"({x.shape[0]}, time, {self.memory_dim}); got {memory.shape}")
        if initial_state is None:
            raise ValueError(f"AttentiveLSTM {self.name!r} needs initial_state=[h0, c0]")
        h0, c0 = prepare_initial_state(self, initial_state, x.shape[0])
        hidden, contexts, self.attention_weights, h, c, self._cache = kernel.forward(
            x, memory, kernel.AttentiveLSTMWeights(**self.params), h0, c0)
        return [hidden, contexts, h, c]

    def backward(self, d_out, input_gradient=True):
        self._require_forward("_cache")
        if not isinstance(d_out, (list, tuple)) or len(d_out) not in (2, 4):
            raise ValueError(f"AttentiveLSTM {self.name!r}: backward takes [d_hidden, "
                             "d_contexts] or [d_hidden, d_contexts, d_h, d_c] (None for "
                             f"zero); got {describe_gradients(d_out)}")
        hidden_shape = self._cache.hidden.shape                    # (B, T, n)
        state_shape = (hidden_shape[0], hidden_shape[2])           # (B, n)
        d_hidden, d_contexts, d_h, d_c = (   # None: zeros, which the kernel makes
            None if grad is None else self._check_gradient(grad, shape, label)
            for grad, shape, label in zip(
                [*d_out, None, None][:4],
                (hidden_shape, self._cache.contexts.shape, state_shape, state_shape),
                ("d_hidden", "d_contexts", "d_h", "d_c")))
        d_x, self.d_memory, d_weights, d_h0, d_c0 = kernel.backward(
            self._cache, d_hidden, d_contexts, d_h, d_c, input_gradient=input_gradient)
        self._add_grads(self.weight_names, d_weights)
        self.d_initial_state = [d_h0, d_c0]
        return d_x
