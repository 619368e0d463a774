"""LSTM layer: Keras's API and weight layout over the ``kernels.lstm`` twins.

The equations and their backward pass are in ``minilstm/kernels/lstm.py``.
"""
import numpy as np

from .. import initializers
from ..checks import flag, positive_int
from ..kernels import lstm as lstm_kernel
from .base import Layer, describe_gradients, keras_2_input_shape
from .dropout import DrawsNoise, dropout_mask, dropout_rate


def prepare_initial_state(layer, initial_state, batch):
    """``[h0, c0]`` checked (each ``(batch, units)``) and cast, or ``(None, None)``."""
    if initial_state is None:
        return None, None
    kind = type(layer).__name__
    if not isinstance(initial_state, (list, tuple)) or len(initial_state) != 2:
        got = (f"{len(initial_state)} arrays" if isinstance(initial_state, (list, tuple))
               else type(initial_state).__name__)
        raise ValueError(f"initial_state for {kind} {layer.name!r} must be a list [h0, c0]; "
                         f"got {got}")
    states = []
    for label, state in zip(("h0", "c0"), initial_state):
        state = np.ascontiguousarray(state, dtype=layer.dtype)
        if state.shape != (batch, layer.units):
            raise ValueError(f"initial_state {label} for {kind} {layer.name!r} must have shape "
                             f"{(batch, layer.units)}; got {state.shape}")
        states.append(state)
    return states


class LSTM(DrawsNoise, Layer):
    """Long short-term memory layer (Hochreiter & Schmidhuber, 1997), as Keras's.

    Args:
        units: size H of the hidden and cell state.
        activation, recurrent_activation: only ``'tanh'`` and ``'sigmoid'`` (Keras's
            defaults) are implemented by the kernel; anything else is refused.
        use_bias: add ``bias (4H,)``.
        kernel_initializer: for ``kernel (I, 4H)``, default ``'glorot_uniform'``.
        recurrent_initializer: for ``recurrent_kernel (H, 4H)``, default ``'orthogonal'``.
        bias_initializer: default ``'zeros'``.
        unit_forget_bias: add 1 to the forget-gate bias at initialisation (Keras).
        return_sequences: output every step ``(B, T, H)`` rather than the last ``(B, H)``.
        return_state: also return the final ``h`` and ``c``: ``[output, h, c]``.
        go_backwards: read the input from its last step to its first; the returned
            sequence is in that processing order, as in Keras.
        dropout: the share of the input's features dropped while training, one mask a
            sequence for all its steps, the rest scaled by 1 / (1 - dropout), as Keras 3's
            LSTM drops them (x_t ⊙ m before the kernel; dL/dx_t ⊙ m after it); the masks
            come from ``seed`` or the model's generator, as a ``Dropout``'s do.
        recurrent_dropout: the share of h_{t-1}'s units dropped inside the recurrence
            while training, as Keras 3's LSTM drops them: one mask m ``(B, H)`` a sequence,
            for every step and all four gates, z_t = x_t W + b + (h_{t-1} ⊙ m) U (the
            kernel's ``recurrent_mask``; the states carried out are h_t itself); drawn
            after the input's mask, from the same generator.
        stateful: start each batch from the final states of the batch before (sequence i
            from sequence i's), as Keras's stateful LSTM: a long series in consecutive
            batches; ``states`` holds them, ``reset_states()`` (the layer's or the
            model's) clears them. No gradient flows back into the batch before
            (truncated BPTT, as in Keras). Every batch must have one size.
        input_shape: ``(T, I)`` when this is a model's first layer (T may be None); or,
            as Keras 2 spelled it, ``input_dim=I`` and ``input_length=T``, or
            ``batch_input_shape=(B, T, I)``, which also fixes the batch size B.
        dtype, name: see ``Layer``.

    Call arguments:
        ``forward(x, initial_state=None, training=False, mask=None)``: ``x (B, T, I)``;
        ``initial_state=[h0, c0]``, each ``(B, H)``; ``mask (B, T)``: the steps each
        sequence reads (Keras's mask, which ``Embedding(mask_zero=True)`` or ``Masking``
        make in a model): at the others the states carry on, and the output there is the
        h carried (the kernel's ``step_mask``). ``compute_mask`` hands the mask on with the
        sequence it returns (``return_sequences``), as Keras's LSTM does.
        ``backward(d_out)``: ``d_out`` is dL/d(output), or with ``return_state`` the
        list ``[d_output, d_h, d_c]`` (``None`` entries mean zero). It returns dL/dx;
        when ``forward`` was given an ``initial_state``, ``d_initial_state`` then holds
        ``[d_h0, d_c0]`` (otherwise ``None``).

    Example::

        LSTM(20, return_sequences=True, input_shape=(50, 1))   # 1,760 parameters
    """

    weight_names = ("kernel", "recurrent_kernel", "bias")
    gives_summed_input_gradient = True
    takes_mask = True                   # and hands it on by compute_mask, below

    @property
    def stack_refusal(self):
        if self.return_state:
            return "has return_state=True, so its output is a list [output, h, c]"
        return None

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, dropout=0.0, recurrent_dropout=0.0,
                 seed=None, input_shape=None, input_dim=None, input_length=None,
                 batch_input_shape=None, trainable=True, dtype="float32", name=None):
        if batch_input_shape is not None:
            if input_shape is not None:
                raise ValueError(f"give batch_input_shape or input_shape, not both; got "
                                 f"{batch_input_shape!r} and {input_shape!r}")
            if not isinstance(batch_input_shape, (tuple, list)) or len(batch_input_shape) < 2:
                raise ValueError(f"batch_input_shape must be (batch, steps, features); got "
                                 f"{batch_input_shape!r}")
            input_shape = tuple(batch_input_shape[1:])
        super().__init__(name=name, dtype=dtype, input_shape=keras_2_input_shape(
            input_shape, input_dim, input_length, recurrent=True))
        self.batch_size = None if batch_input_shape is None or batch_input_shape[0] is None \
            else positive_int("the batch size of batch_input_shape", batch_input_shape[0])
        if activation != "tanh" or recurrent_activation != "sigmoid":
            raise ValueError(
                "the LSTM kernel implements activation='tanh' and recurrent_activation="
                f"'sigmoid' (Keras's defaults); got {activation!r} and {recurrent_activation!r}"
            )
        self.units = positive_int("units", units)
        self.use_bias = flag("use_bias", use_bias)
        self.kernel_initializer = initializers.checked("kernel_initializer", kernel_initializer)
        self.recurrent_initializer = initializers.checked("recurrent_initializer",
                                                          recurrent_initializer)
        self.bias_initializer = initializers.checked("bias_initializer", bias_initializer)
        self.unit_forget_bias = flag("unit_forget_bias", unit_forget_bias)
        self.return_sequences = flag("return_sequences", return_sequences)
        self.return_state = flag("return_state", return_state)
        self.go_backwards = flag("go_backwards", go_backwards)
        self.stateful = flag("stateful", stateful)
        self.states = None                 # [h, c] carried to the next batch when stateful
        self.trainable = trainable
        self.dropout = dropout_rate("dropout", dropout)
        self.recurrent_dropout = dropout_rate("recurrent_dropout", recurrent_dropout)
        self._seed_noise(seed)
        self.d_initial_state = None

    def get_config(self):
        config = {**super().get_config(), "units": self.units, "use_bias": self.use_bias,
                  "kernel_initializer": initializers.serialize(self.kernel_initializer),
                  "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
                  "bias_initializer": initializers.serialize(self.bias_initializer),
                  "unit_forget_bias": self.unit_forget_bias,
                  "return_sequences": self.return_sequences,
                  "return_state": self.return_state, "go_backwards": self.go_backwards,
                  "stateful": self.stateful, "dropout": self.dropout,
                  "recurrent_dropout": self.recurrent_dropout, "seed": self.seed}
        if self.batch_size is not None and config["input_shape"] is not None:
            config["batch_input_shape"] = [self.batch_size, *config["input_shape"]]
            config["input_shape"] = None          # as it was given (an Input's: the model's)
        return config

    def _check_build_shape(self, input_shape):
        if len(input_shape) != 3 or input_shape[-1] is None:
            raise ValueError(
                f"LSTM {self.name!r} needs input shape (batch, time, features) with known "
                f"features; got {input_shape}"
            )

    def _create_weights(self, input_shape, rng):
        units = self.units
        self._add_weight("kernel", (input_shape[-1], 4 * units), self.kernel_initializer, rng)
        self._add_weight("recurrent_kernel", (units, 4 * units), self.recurrent_initializer, rng)
        if self.use_bias:
            self._add_weight("bias", (4 * units,), self.bias_initializer, rng)
            if self.unit_forget_bias:
                self.params["bias"][units:2 * units] += 1.0
        self._zero_bias = np.zeros(4 * units, dtype=self.dtype)
        self._build_noise(rng)

    def compute_output_shape(self, input_shape):
        batch, steps = input_shape[0], input_shape[1]
        output = (batch, steps, self.units) if self.return_sequences else (batch, self.units)
        if self.return_state:
            return [output, (batch, self.units), (batch, self.units)]
        return output

    def compute_mask(self, x, mask):
        """The input's mask with the returned sequence; none with its last step alone."""
        return mask if self.return_sequences else None

    def reset_states(self):
        """Forget the states a stateful layer carries: the next batch starts from zeros."""
        self.states = None

    def _carried_states(self, batch):
        """The states to start a stateful layer's batch from (None: zeros), checked to be
        of ``batch`` sequences, as the batch size fixed by ``batch_input_shape`` is."""
        fixed = self.batch_size if self.states is None else self.states[0].shape[0]
        if fixed is not None and batch != fixed:
            raise ValueError(
                f"LSTM {self.name!r} is stateful and carries the states of {fixed} "
                f"sequence{'s' * (fixed != 1)} from batch to batch; got a batch of {batch}: "
                f"give every batch that size "
                f"(batch_size={fixed} in fit, evaluate and predict), or call reset_states() "
                "first")
        return self.states

    def forward(self, x, initial_state=None, training=False, mask=None):
        x = self._prepare_input(x)
        step_mask = None if mask is None else self._checked_mask(mask, x)      # (B, T)
        self._input_mask = None
        if training and self.dropout:
            self._input_mask = dropout_mask(self.noise_generator, (x.shape[0], 1, x.shape[2]),
                                            self.dropout, x.dtype)           # (B, 1, I)
            x = x * self._input_mask                                         # (B, T, I)
        recurrent_mask = None
        if training and self.recurrent_dropout:
            recurrent_mask = dropout_mask(self.noise_generator, (x.shape[0], self.units),
                                          self.recurrent_dropout, x.dtype)   # (B, H)
        carried = self._carried_states(x.shape[0]) if self.stateful and initial_state is None \
            else None
        h0, c0 = prepare_initial_state(self, carried if initial_state is None else initial_state,
                                       x.shape[0])
        self._given_initial_state = initial_state is not None       # no gradient for carried
        bias = self.params["bias"] if self.use_bias else self._zero_bias
        hidden, h_last, c_last, self._cache = lstm_kernel.forward(
            x, self.params["kernel"], self.params["recurrent_kernel"], bias,
            h0, c0, self.go_backwards, recurrent_mask, step_mask)
        output = hidden if self.return_sequences else h_last   # (B, T, H) or (B, H)
        if self.stateful:
            self.states = [h_last.copy(), c_last.copy()]               # (B, H) each
        return [output, h_last, c_last] if self.return_state else output

    def backward(self, d_out, input_gradient=True):
        self._require_forward("_cache")
        batch, steps = self._cache.hidden.shape[:2]
        state_shape = (batch, self.units)
        output_shape = (batch, steps, self.units) if self.return_sequences else state_shape
        if self.return_state:
            if not isinstance(d_out, (list, tuple)) or len(d_out) != 3:
                raise ValueError(
                    f"LSTM {self.name!r} has return_state=True: backward takes "
                    f"[d_output, d_h, d_c] (None for zero); got {describe_gradients(d_out)}"
                )
            d_output, d_h, d_c = (
                None if grad is None else self._check_gradient(grad, shape, argument=label)
                for grad, shape, label in zip(d_out, (output_shape, state_shape, state_shape),
                                              ("d_output", "d_h", "d_c")))
        else:
            d_output, d_h, d_c = self._check_gradient(d_out, output_shape), None, None
        if self.return_sequences:
            d_hidden = d_output
        else:
            d_hidden = None
            if d_output is not None:
                d_h = d_output if d_h is None else d_output + d_h
        d_x, d_kernel, d_recurrent, d_bias, d_h0, d_c0 = lstm_kernel.backward(
            d_hidden, d_h, d_c, self._cache,
            out=self._gradient_outputs("kernel", "recurrent_kernel", "bias"),
            input_gradient=input_gradient, initial_state_gradient=self._given_initial_state)
        if d_x is not None and self._input_mask is not None:     # the mask is one a sequence
            d_x = d_x * (self._input_mask if d_x.ndim == 3 else self._input_mask[:, 0])
        self._add_grad("kernel", d_kernel)
        self._add_grad("recurrent_kernel", d_recurrent)
        if self.use_bias:
            self._add_grad("bias", d_bias)
        self.d_initial_state = [d_h0, d_c0] if self._given_initial_state else None
        return d_x
