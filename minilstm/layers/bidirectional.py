r"""Bidirectional: one recurrent layer over the sequence forwards, a copy of it backwards,
their outputs merged, as Keras's wrapper.

With ``f`` reading x_1..x_T and ``b`` reading x_T..x_1 (``go_backwards``), and ``b``'s
sequence output turned back into the input's order, so that step t of both belongs to x_t::

    y = merge(y_f, y_b)    concat: [y_f, y_b]    sum: y_f + y_b    ave: (y_f + y_b) / 2
                           mul: y_f ⊙ y_b        None: the list [y_f, y_b]

Backward splits dL/dy by the same rule (concat: its two halves; sum: dL/dy to both; ave:
half each; mul: dL/dy ⊙ y_b to f and dL/dy ⊙ y_f to b), turns b's back into its reading
order, and adds the two layers' dL/dx. The weights are both layers' (Keras's order: the
forward layer's, then the backward one's), named ``forward_kernel``, ...,
``backward_kernel``, ...
"""
import numpy as np

from .base import Layer
from .recurrent_base import Recurrent

MERGE_MODES = ("concat", "sum", "mul", "ave", None)


class Bidirectional(Layer):
    """Run ``layer`` (an LSTM, a GRU or a SimpleRNN) forwards and a copy of it backwards over
    the input, and merge their outputs by ``merge_mode``. Both are made anew from ``layer``'s
    configuration (named ``forward_<name>`` and ``backward_<name>``), as Keras 3 makes them.

    Example::

        Bidirectional(LSTM(20, return_sequences=True), input_shape=(10, 1))   # (None, 10, 40)
    """

    takes_mask = True                   # and hands it on by compute_mask, below

    def __init__(self, layer, merge_mode="concat", input_shape=None, name=None):
        if not isinstance(layer, Recurrent):
            raise TypeError(f"Bidirectional wraps an LSTM, a GRU or a SimpleRNN; got "
                            f"{type(layer).__name__}")
        for option in ("return_state", "stateful"):
            if getattr(layer, option):
                raise NotImplementedError(f"Bidirectional over {layer.name!r} with "
                                          f"{option}=True is not implemented")
        if merge_mode not in MERGE_MODES:
            raise ValueError(f"merge_mode must be one of {MERGE_MODES}; got {merge_mode!r}")
        config = layer.get_config()
        config.pop("batch_input_shape", None)
        del config["input_shape"]
        declared = None if layer.declared_input_shape is None else layer.declared_input_shape[1:]
        super().__init__(name=name, dtype=layer.dtype,
                         input_shape=input_shape if input_shape is not None else declared)
        self.merge_mode = merge_mode
        self.forward_layer = type(layer)(**{**config, "name": f"forward_{layer.name}"})
        self.backward_layer = type(layer)(**{
            **config, "name": f"backward_{layer.name}", "go_backwards": not layer.go_backwards})
        self._halves = (("forward_", self.forward_layer), ("backward_", self.backward_layer))
        self.weight_names = tuple(prefix + name for prefix, inner in self._halves
                                  for name in inner.weight_names)
        self.gives_summed_input_gradient = layer.gives_summed_input_gradient
        self.return_sequences = layer.return_sequences

    @property
    def inner_layers(self):
        """Its two recurrent layers (``gradcheck`` holds their noise, with ``dropout`` or
        ``recurrent_dropout``)."""
        return (self.forward_layer, self.backward_layer)

    @property
    def trainable(self):
        return self.forward_layer.trainable

    @trainable.setter
    def trainable(self, value):
        for _, inner in self._halves:
            inner.trainable = value

    @property
    def stack_refusal(self):
        if self.merge_mode is None:
            return "has merge_mode=None, so its output is a list [forward, backward]"
        return None

    def get_config(self):
        config = super().get_config()
        del config["dtype"]                      # the wrapped layer's
        inner = self.forward_layer.get_config()
        inner["name"] = inner["name"][len("forward_"):]
        return {**config, "merge_mode": self.merge_mode,
                "layer": {"class_name": type(self.forward_layer).__name__, "config": inner}}

    def _check_build_shape(self, input_shape):
        self.forward_layer.output_shape_for(input_shape)      # its ValueError, if any

    def _create_weights(self, input_shape, rng):
        for _, inner in self._halves:
            inner.build(input_shape, rng)
        self._gather_params()

    def _gather_params(self):
        self.params = {prefix + name: value for prefix, inner in self._halves
                       for name, value in inner.params.items()}

    @property
    def grads(self):
        return {prefix + name: value for prefix, inner in self._halves
                for name, value in inner.grads.items()}

    def zero_grads(self):
        for _, inner in self._halves:
            inner.zero_grads()

    def share_storage(self, params, grads):
        middle = self.forward_layer.count_params()
        self.forward_layer.share_storage(params[:middle], grads[:middle])
        self.backward_layer.share_storage(params[middle:], grads[middle:])
        self._gather_params()

    def compute_output_shape(self, input_shape):
        shape = self.forward_layer.compute_output_shape(input_shape)
        if self.merge_mode is None:
            return [shape, shape]
        if self.merge_mode == "concat":
            return tuple(shape[:-1]) + (2 * shape[-1],)
        return tuple(shape)

    def compute_mask(self, x, mask):
        """Its recurrent layers' (``Recurrent.compute_mask``)."""
        return self.forward_layer.compute_mask(x, mask)

    def forward(self, x, training=False, mask=None):
        """``mask (B, T)``: the steps each sequence reads (``LSTM.forward``); with
        ``return_sequences``, both directions' outputs are zero at the others, as Keras's
        Bidirectional makes them."""
        x = self._prepare_input(x)
        step_mask = None if mask is None else self._checked_mask(mask, x)      # (B, T)
        y_f = self.forward_layer.forward(x, training=training, mask=step_mask)
        y_b = self.backward_layer.forward(x, training=training, mask=step_mask)
        if self.return_sequences:
            y_b = y_b[:, ::-1]                           # into the input's order, (B, T, H)
        self._zeroed = None
        if self.return_sequences and step_mask is not None:
            self._zeroed = step_mask[..., None].astype(x.dtype)                # (B, T, 1)
            y_f, y_b = y_f * self._zeroed, y_b * self._zeroed
        self._parts = (y_f, y_b)
        if self.merge_mode == "concat":
            return np.concatenate([y_f, y_b], axis=-1)   # (..., 2H)
        if self.merge_mode == "sum":
            return y_f + y_b
        if self.merge_mode == "ave":
            return (y_f + y_b) / 2
        if self.merge_mode == "mul":
            return y_f * y_b
        return [y_f, np.ascontiguousarray(y_b)]

    def _split(self, d_out):
        """(dL/dy_f, dL/dy_b) from dL/dy (module docstring), each checked."""
        y_f, y_b = self._parts
        if self.merge_mode is None:
            if not isinstance(d_out, (list, tuple)) or len(d_out) != 2:
                raise ValueError(f"d_out for layer {self.name!r} (merge_mode=None) must be a "
                                 f"list [d_forward, d_backward]")
            return (self._check_gradient(d_out[0], y_f.shape, "d_out[0]"),
                    self._check_gradient(d_out[1], y_b.shape, "d_out[1]"))
        units = y_f.shape[-1]
        merged = 2 * units if self.merge_mode == "concat" else units
        d_out = self._check_gradient(d_out, y_f.shape[:-1] + (merged,))
        if self.merge_mode == "concat":
            return d_out[..., :units], d_out[..., units:]
        if self.merge_mode == "sum":
            return d_out, d_out
        if self.merge_mode == "ave":
            return d_out / 2, d_out / 2
        return d_out * y_b, d_out * y_f                  # mul

    def backward(self, d_out, input_gradient=True):
        self._require_forward("_parts")
        d_f, d_b = self._split(d_out)
        if self._zeroed is not None:                     # the steps zeroed have no gradient
            d_f, d_b = d_f * self._zeroed, d_b * self._zeroed
        if self.return_sequences:
            d_b = d_b[:, ::-1]                           # back into b's reading order
        d_x_f = self.forward_layer.backward(np.ascontiguousarray(d_f),
                                            input_gradient=input_gradient)
        d_x_b = self.backward_layer.backward(np.ascontiguousarray(d_b),
                                             input_gradient=input_gradient)
        if not input_gradient:
            return None
        return d_x_f + d_x_b     # (B, T, I), or its sum over the steps (B, I) when asked
