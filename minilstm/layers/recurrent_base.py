"""What Keras's recurrent layers share (``LSTM``, ``GRU``, ``SimpleRNN``): their arguments,
output shapes, masks, states carried from batch to batch, and the shape of a forward and a
backward pass around a kernel's time loop.

A subclass sets ``state_names`` (``("h", "c")`` for the LSTM, ``("h",)`` for the others) and
``initial_state_names`` (``("h0", "c0")``, ``("h0",)``, as its errors name them),
``gates`` (4, 3, 1) and writes ``_create_weights``, ``_draw_masks`` (dropout's, while
training with ``dropout`` or ``recurrent_dropout``: the input, the masks for the kernel),
``_kernel_forward`` (its masks None without dropout) and ``_kernel_backward`` (dx, the
weights' gradients, which ``backward`` adds, and the initial states'), which a layer over a
kernel of one state takes from here, naming the kernel (``kernel_module``).
"""
import numpy as np

from .. import initializers
from ..kernels import recurrent_activations
from ..checks import flag, positive_int
from .base import Layer, describe_gradients, keras_2_input_shape
from .dropout import DrawsNoise, dropout_mask, dropout_rate


def prepare_initial_state(layer, initial_state, batch, names=("h0", "c0")):
    """The initial states given (``names``: ``[h0, c0]``, each ``(batch, units)``), checked
    and cast."""
    kind = type(layer).__name__
    if not isinstance(initial_state, (list, tuple)) or len(initial_state) != len(names):
        got = (f"{len(initial_state)} arrays" if isinstance(initial_state, (list, tuple))
               else type(initial_state).__name__)
        raise ValueError(f"initial_state for {kind} {layer.name!r} must be a list "
                         f"[{', '.join(names)}]; got {got}")
    states = []
    for label, state in zip(names, initial_state):
        state = np.ascontiguousarray(state, dtype=layer.dtype)
        if state.shape != (batch, layer.units):
            raise ValueError(f"initial_state {label} for {kind} {layer.name!r} must have shape "
                             f"{(batch, layer.units)}; got {state.shape}")
        states.append(state)
    return states


class Recurrent(DrawsNoise, Layer):
    """The base of ``LSTM``, ``GRU`` and ``SimpleRNN`` (module docstring); its arguments are
    documented on ``LSTM``."""

    weight_names = ("kernel", "recurrent_kernel", "bias")
    takes_mask = True                   # and hands it on by compute_mask, below
    state_names = ()
    initial_state_names = ()
    gates = 0
    kernel_module = None                # a kernel of one state's (``kernels.gru``, ...)
    has_recurrent_activation = True     # Keras's SimpleRNN has one activation alone

    @property
    def stack_refusal(self):
        if self.return_state:
            listed = ", ".join(("output",) + self.state_names)
            return f"has return_state=True, so its output is a list [{listed}]"
        return None

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, dropout=0.0, recurrent_dropout=0.0, seed=None,
                 input_shape=None, input_dim=None, input_length=None, batch_input_shape=None,
                 trainable=True, dtype="float32", name=None):
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
        self.activation = recurrent_activations.checked("activation", activation)
        self.recurrent_activation = recurrent_activations.checked(
            "recurrent_activation", recurrent_activation) if self.has_recurrent_activation \
            else None                   # None: a layer without one (None given: 'linear')
        self.units = positive_int("units", units)
        self.use_bias = flag("use_bias", use_bias)
        self.kernel_initializer = initializers.checked("kernel_initializer", kernel_initializer)
        self.recurrent_initializer = initializers.checked("recurrent_initializer",
                                                          recurrent_initializer)
        self.bias_initializer = initializers.checked("bias_initializer", bias_initializer)
        self.return_sequences = flag("return_sequences", return_sequences)
        self.return_state = flag("return_state", return_state)
        self.go_backwards = flag("go_backwards", go_backwards)
        self.stateful = flag("stateful", stateful)
        self.states = None                 # the states carried to the next batch, stateful
        self.trainable = trainable
        self.dropout = dropout_rate("dropout", dropout)
        self.recurrent_dropout = dropout_rate("recurrent_dropout", recurrent_dropout)
        self._seed_noise(seed)
        self.d_initial_state = None

    def get_config(self):
        config = {**super().get_config(), "units": self.units, "activation": self.activation,
                  **({"recurrent_activation": self.recurrent_activation}
                     if self.has_recurrent_activation else {}),
                  "use_bias": self.use_bias,
                  "kernel_initializer": initializers.serialize(self.kernel_initializer),
                  "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
                  "bias_initializer": initializers.serialize(self.bias_initializer),
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
                f"{type(self).__name__} {self.name!r} needs input shape (batch, time, "
                f"features) with known features; got {input_shape}"
            )

    def _create_weights(self, input_shape, rng):
        """kernel (I, gH), recurrent_kernel (H, gH) and the bias (``_bias_shape``), for g
        gates, in Keras's order; a subclass adjusts them after (the LSTM's forget bias)."""
        width = self.gates * self.units
        self._add_weight("kernel", (input_shape[-1], width), self.kernel_initializer, rng)
        self._add_weight("recurrent_kernel", (self.units, width), self.recurrent_initializer,
                         rng)
        if self.use_bias:
            self._add_weight("bias", self._bias_shape, self.bias_initializer, rng)
        self._zero_bias = np.zeros(self._bias_shape, dtype=self.dtype)
        self._build_noise(rng)

    @property
    def _bias_shape(self):
        return (self.gates * self.units,)

    @property
    def _bias(self):
        """The bias the kernel reads: the weight, or zeros without ``use_bias``."""
        return self.params["bias"] if self.use_bias else self._zero_bias

    def compute_output_shape(self, input_shape):
        batch, steps = input_shape[0], input_shape[1]
        output = (batch, steps, self.units) if self.return_sequences else (batch, self.units)
        if self.return_state:
            return [output] + [(batch, self.units)] * len(self.state_names)
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
                f"{type(self).__name__} {self.name!r} is stateful and carries the states of "
                f"{fixed} sequence{'s' * (fixed != 1)} from batch to batch; got a batch of "
                f"{batch}: give every batch that size "
                f"(batch_size={fixed} in fit, evaluate and predict), or call reset_states() "
                "first")
        return self.states

    def _draw_masks(self, x):
        """Dropout's masks while training, as Keras 3's LSTM and SimpleRNN draw them: the
        input's, one a sequence (B, 1, I), applied to x here; the recurrent one (B, H), for
        the kernel (``recurrent_mask``). The GRU draws its own."""
        if self.dropout:
            self._input_mask = dropout_mask(self.noise_generator, (x.shape[0], 1, x.shape[2]),
                                            self.dropout, x.dtype)           # (B, 1, I)
            x = x * self._input_mask                                         # (B, T, I)
        recurrent_mask = None
        if self.recurrent_dropout:
            recurrent_mask = dropout_mask(self.noise_generator, (x.shape[0], self.units),
                                          self.recurrent_dropout, x.dtype)   # (B, H)
        return x, recurrent_mask

    def _kernel_backward(self, d_hidden, d_states, input_gradient):
        """The backward pass of a kernel of one state (``kernel_module``'s: the GRU's, the
        simple RNN's; the LSTM writes its own): dx, the weights' gradients and [dh_0]."""
        (d_h,) = d_states
        d_x, d_kernel, d_recurrent, d_bias, d_h0 = self.kernel_module.backward(
            d_hidden, d_h, self._cache,
            out=self._gradient_outputs("kernel", "recurrent_kernel", "bias"),
            input_gradient=input_gradient, initial_state_gradient=self._given_initial_state)
        return d_x, d_kernel, d_recurrent, d_bias, [d_h0]

    def forward(self, x, initial_state=None, training=False, mask=None):
        x = self._prepare_input(x)
        step_mask = None if mask is None else self._checked_mask(mask, x)      # (B, T)
        self._input_mask = None              # one input mask a sequence, on x (B, 1, I)
        kernel_masks = None                  # the kernel's dropout masks, while training
        if training and (self.dropout or self.recurrent_dropout):
            x, kernel_masks = self._draw_masks(x)
        carried = self._carried_states(x.shape[0]) if self.stateful and initial_state is None \
            else None
        given = carried if initial_state is None else initial_state
        initial = (None,) * len(self.initial_state_names) if given is None else \
            prepare_initial_state(self, given, x.shape[0], self.initial_state_names)
        self._given_initial_state = initial_state is not None       # no gradient for carried
        hidden, final, self._cache = self._kernel_forward(x, initial, kernel_masks, step_mask)
        output = hidden if self.return_sequences else final[0]   # (B, T, H) or (B, H)
        if self.stateful:
            self.states = [state.copy() for state in final]            # (B, H) each
        return [output, *final] if self.return_state else output

    def backward(self, d_out, input_gradient=True):
        self._require_forward("_cache")
        batch, steps = self._cache.hidden.shape[:2]
        state_shape = (batch, self.units)
        output_shape = (batch, steps, self.units) if self.return_sequences else state_shape
        count = 1 + len(self.state_names)
        if self.return_state:
            if not isinstance(d_out, (list, tuple)) or len(d_out) != count:
                listed = ", ".join(f"d_{name}" for name in ("output",) + self.state_names)
                raise ValueError(
                    f"{type(self).__name__} {self.name!r} has return_state=True: backward "
                    f"takes [{listed}] (None for zero); got {describe_gradients(d_out)}"
                )
            d_output, *d_states = (
                None if grad is None else self._check_gradient(grad, shape, argument=label)
                for grad, shape, label in zip(
                    d_out, [output_shape] + [state_shape] * (count - 1),
                    ["d_output"] + [f"d_{name}" for name in self.state_names]))
        else:
            d_output, d_states = self._check_gradient(d_out, output_shape), [None] * (count - 1)
        if self.return_sequences:
            d_hidden = d_output
        else:
            d_hidden = None
            if d_output is not None:
                d_states[0] = d_output if d_states[0] is None else d_output + d_states[0]
        d_x, d_kernel, d_recurrent_kernel, d_bias, d_initial = self._kernel_backward(
            d_hidden, d_states, input_gradient)
        self._add_grad("kernel", d_kernel)
        self._add_grad("recurrent_kernel", d_recurrent_kernel)
        if self.use_bias:
            self._add_grad("bias", d_bias)
        if d_x is not None and self._input_mask is not None:     # the mask is one a sequence
            d_x = d_x * (self._input_mask if d_x.ndim == 3 else self._input_mask[:, 0])
        self.d_initial_state = d_initial if self._given_initial_state else None
        return d_x
