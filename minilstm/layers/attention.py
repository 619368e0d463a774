"""AttentionDecoder: the echo tutorial's Bahdanau decoder over ``kernels.attention``.

The equations and their backward pass are in ``minilstm/kernels/attention.py``.
"""
from .. import initializers
from ..checks import flag, is_int_at_least, positive_int
from ..kernels import attention as attention_kernel
from .base import Layer

# The initialiser of each weight, as the tutorial's layer sets them.
_ROLES = {"V_a": "kernel", "W_a": "kernel", "U_a": "kernel", "b_a": "bias", "W_s": "recurrent"}
_ROLES.update({f"{kind}_{gate}": ("bias" if kind == "b" else "recurrent")
               for gate in "rzpo" for kind in "CUWb"})


class AttentionDecoder(Layer):
    """Decoder with additive (Bahdanau) attention over an encoder's output sequence.

    At each output step it scores every encoder step against its previous state,
    takes the attention-weighted context, updates a GRU-like state and emits a
    softmax over ``output_dim`` classes; its own previous prediction is fed back.

    Args:
        units: state size n.
        output_dim: number of output classes K.
        return_probabilities: return the attention weights ``(B, T_out, T_in)``
            instead of the predictions ``(B, T_out, K)``.
        output_length: output steps; ``None`` emits as many as it reads (the
            original layer's only option), an int k emits k steps.
        kernel_initializer: for ``V_a, W_a, U_a`` (default ``'glorot_uniform'``).
        recurrent_initializer: for ``C_*, U_*, W_*`` of the gates and output, and
            ``W_s`` (default ``'orthogonal'``).
        bias_initializer: for ``b_*`` (default ``'zeros'``).
        input_shape, dtype, name: see ``Layer``.

    After ``forward``, ``attention_weights`` holds the last weights ``(B, T_out, T_in)``.

    Example (the echo tutorial: 120,600 + 243,300 parameters)::

        Sequential([LSTM(150, input_shape=(5, 50), return_sequences=True),
                    AttentionDecoder(150, 50)])
    """

    weight_names = attention_kernel.WEIGHT_NAMES
    first_layer_requirement = (
        "it decodes the outputs of an encoder: put it after an LSTM with "
        "return_sequences=True, or give input_shape=(time, features)")

    def __init__(self, units, output_dim, return_probabilities=False, output_length=None,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", input_shape=None, dtype="float32", name=None):
        super().__init__(name=name, dtype=dtype, input_shape=input_shape)
        self.units = positive_int("units", units)
        self.output_dim = positive_int("output_dim", output_dim)
        self.return_probabilities = flag("return_probabilities", return_probabilities)
        if output_length is not None and not is_int_at_least(output_length, 1):
            raise ValueError(f"output_length must be None or an integer >= 1; "
                             f"got {output_length!r}")
        self.output_length = None if output_length is None else int(output_length)
        self.initializers = {role: initializers.checked(f"{role}_initializer", initializer)
                             for role, initializer in (("kernel", kernel_initializer),
                                                       ("recurrent", recurrent_initializer),
                                                       ("bias", bias_initializer))}
        self.attention_weights = None

    def get_config(self):
        return {**super().get_config(), "units": self.units, "output_dim": self.output_dim,
                "return_probabilities": self.return_probabilities,
                "output_length": self.output_length,
                **{f"{role}_initializer": initializers.serialize(initializer)
                   for role, initializer in self.initializers.items()}}

    @property
    def output_activation(self):
        return None if self.return_probabilities else "softmax"

    def _check_build_shape(self, input_shape):
        if len(input_shape) != 3 or input_shape[-1] is None:
            raise ValueError(
                f"AttentionDecoder {self.name!r} needs encoder outputs of shape (batch, time, "
                f"features) with known features; got {input_shape}")

    def _create_weights(self, input_shape, rng):
        shapes = attention_kernel.weight_shapes(input_shape[-1], self.units, self.output_dim)
        for name, shape in zip(self.weight_names, shapes):
            self._add_weight(name, shape, self.initializers[_ROLES[name]], rng)

    def compute_output_shape(self, input_shape):
        batch, steps_in = input_shape[0], input_shape[1]
        steps_out = self.output_length or steps_in
        last = steps_in if self.return_probabilities else self.output_dim
        return (batch, steps_out, last)

    def forward(self, x, training=False):
        x = self._prepare_input(x)
        weights = attention_kernel.AttentionWeights(**self.params)
        steps_out = self.output_length or x.shape[1]
        outputs, self.attention_weights, self.logits, self._cache = attention_kernel.forward(
            x, weights, steps_out)
        return self.attention_weights if self.return_probabilities else outputs

    def backward(self, d_out, skip_activation=False, input_gradient=True):
        """dL/d(encoder outputs); with ``skip_activation=True``, ``d_out`` is dL/d(logits)."""
        self._require_forward("_cache")
        expected = self.attention_weights.shape if self.return_probabilities \
            else self.logits.shape
        d_out = self._check_gradient(d_out, expected)
        if self.return_probabilities:
            gradients = {"d_attention": d_out}
        else:
            gradients = {"d_logits" if skip_activation else "d_outputs": d_out}
        out = attention_kernel.AttentionWeights(*self._gradient_outputs(*self.weight_names))
        d_x, d_weights = attention_kernel.backward(self._cache, out=out, **gradients)
        self._add_grads(self.weight_names, d_weights)
        return d_x if input_gradient else None
