"""The layer protocol every minilstm layer follows.

- ``build(input_shape, rng=None)``: create the weights for a Keras-style shape,
  batch first, ``None`` allowed (``(None, 50, 1)``). ``forward`` builds an
  unbuilt layer from the first input it sees.
- ``forward(x, training=False)``: compute the output and keep what backward needs;
  ``layer(x)`` calls it, as Keras's layers are called on arrays.
- ``backward(d_out, input_gradient=True)``: take dL/d(output), *add* the parameter
  gradients into ``grads`` (through ``_add_grad``) and return dL/d(input).
  ``zero_grads()`` clears them. With ``input_gradient=False`` it returns None: the
  caller has no use for dL/d(input) (a model's first trained layer, which reads the
  data), and LSTM, AttentiveLSTM and Dense then skip the product that computes it. A
  layer with ``gives_summed_input_gradient`` also takes
  ``input_gradient=SUMMED_OVER_STEPS`` and returns Σ_t dL/dx_t ``(B, F)`` for its
  sequence input ``(B, T, F)``: all that a layer with ``takes_summed_output_gradient``
  before it (``RepeatVector``) needs, which a model then asks for instead (the LSTM
  forms it with one product of B rows).
- ``params`` / ``grads``: dicts keyed by Keras's weight names (``kernel``,
  ``recurrent_kernel``, ``bias``); ``get_weights()`` / ``set_weights()`` use
  Keras's order; ``count_params()``; ``compute_output_shape(input_shape)``.
- ``dtype='float32'`` (default) or ``'float64'``: weights and computations are
  in that type; inputs of another type are cast to it, as Keras does.
- Masks, as Keras's: ``compute_mask(x, mask)`` gives the mask of the steps ``(B, T)``
  (true where a step is read) that the output of ``forward(x)`` carries, from the mask of
  its input (None: every step). A layer with ``makes_mask`` makes one from its input
  (``Embedding(mask_zero=True)``, ``Masking``); one with ``supports_masking`` hands its
  input's on (``Dense``, ``Dropout``, ``TimeDistributed``); one with ``takes_mask`` reads it,
  ``forward(x, mask=...)``, and hands it on with the sequence it returns (the recurrent layers,
  ``Bidirectional``: their own ``compute_mask``). Any other layer ends the mask, with a
  warning, as Keras 3 does (an ``AttentionDecoder`` reading an LSTM's sequences, say).
"""
import warnings

import numpy as np

from .. import initializers
from ..checks import flag, name_argument, positive_int, require_finite, sample_shape
from ..kernels import lstm as lstm_kernel
from ..naming import CalledOnArrays, snake_case
from ..seeding import as_generator
from .inputs import Input

DTYPES = ("float32", "float64")
# backward's input_gradient asking for Σ_t dL/dx_t alone (module docstring)
SUMMED_OVER_STEPS = lstm_kernel.SUMMED_OVER_STEPS


def checked_weight_array(label, value, shape):
    """``value`` as an array, when it holds real numbers, all finite, in ``shape``; else a
    TypeError or ValueError naming ``label`` (a NaN weight would surface only as a NaN
    loss, a wrong shape deep inside a kernel)."""
    try:
        value = np.asarray(value)
    except ValueError as error:                         # a ragged nested list
        raise TypeError(f"{label} must be a numeric array; {error}") from None
    if value.dtype.kind not in "biuf":
        raise TypeError(f"{label} must hold real numbers; got dtype {value.dtype}")
    if value.shape != shape:
        raise ValueError(f"{label} must have shape {shape}; got {value.shape}")
    require_finite(value, label)
    return value


def _checked_dtype(dtype):
    """``dtype`` as a NumPy dtype when it is float32 or float64 (by name, type or dtype);
    else a ValueError naming it (NumPy's own error for an unknown name names nothing)."""
    try:
        checked = np.dtype(dtype)
    except TypeError:
        checked = None
    if checked is None or str(checked) not in DTYPES:
        raise ValueError(f"dtype must be one of {list(DTYPES)}; got {dtype!r}")
    return checked


def keras_2_input_shape(input_shape, input_dim, input_length=None, recurrent=False):
    """``input_shape``, or Keras 2's spelling of it: ``input_dim`` features (``(input_dim,)``),
    after ``input_length`` steps for a recurrent layer (``(input_length, input_dim)``, the
    length None for any); a ValueError when both spellings are given, or a length without
    features."""
    keras_2 = {name: value for name, value in (("input_dim", input_dim),
                                               ("input_length", input_length))
               if value is not None}
    if not keras_2:
        return input_shape
    if input_shape is not None:
        given = " and ".join(f"{name}={value!r}" for name, value in keras_2.items())
        raise ValueError(f"give {' and '.join(keras_2)} or input_shape, not both; got {given} "
                         f"and input_shape={input_shape!r}")
    if input_dim is None:
        raise ValueError(f"input_length={input_length!r} needs input_dim, the features, too")
    features = (positive_int("input_dim", input_dim),)
    if not recurrent:
        return features
    return (None if input_length is None else positive_int("input_length", input_length),
            ) + features


def describe_gradients(d_out):
    """What a layer's backward got, for its errors: ``'a list of 3'`` or a type's name."""
    if isinstance(d_out, (list, tuple)):
        return f"a {type(d_out).__name__} of {len(d_out)}"
    return type(d_out).__name__


def describe_shape(shape):
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + (
        ",)" if len(shape) == 1 else ")")


class Layer(CalledOnArrays):
    """Base class: weights, shapes, dtype and input checks shared by all layers.

    Subclasses set ``weight_names`` and implement ``_create_weights``,
    ``compute_output_shape``, ``forward`` and ``backward``.
    """

    weight_names = ()
    # Why this layer cannot open a model without input_shape (None: it can).
    first_layer_requirement = None
    # backward(input_gradient=SUMMED_OVER_STEPS) gives Σ_t dL/dx_t (module docstring)
    gives_summed_input_gradient = False
    # backward takes Σ_t dL/dy_t (B, F) as well as dL/dy (B, T, F)
    takes_summed_output_gradient = False
    # reads integer indices, which have no gradient (Embedding): only a model's first layer
    reads_indices = False
    # masks (module docstring): hands its input's mask on; reads it in forward(mask=...);
    # makes one from its input (class attributes: a model reads them at every step)
    supports_masking = False
    takes_mask = False
    makes_mask = False

    def compute_mask(self, x, mask):
        """The mask of the steps the output carries (module docstring): the input's, for a
        layer that ``supports_masking``; else None, with a warning when there was one."""
        if self.supports_masking or mask is None:
            return mask
        warnings.warn(f"layer {self.name!r} ({type(self).__name__}) takes no mask: the mask "
                      "of the steps its input carried ends here, and the layers after it "
                      "read every step (Keras 3 drops it so, with a warning)", stacklevel=2)
        return None

    @property
    def stack_refusal(self):
        """Why this layer cannot stand in a stack that hands one array from layer to layer
        (``Sequential``, ``TimeDistributed``), or None: it can."""
        return None

    def __init__(self, name=None, dtype="float32", input_shape=None):
        self.dtype = _checked_dtype(dtype)
        self._name = name_argument(name)
        self.declared_input_shape = None if input_shape is None else (None,) + sample_shape(
            f"input_shape of {type(self).__name__} {self.name!r}", input_shape)
        self.input_shape = None
        self._output_shape = None
        self.params = {}
        self._grads = {}
        self._unwritten = set()
        self._storage_shared = False
        self.built = False
        self._trainable = True

    # ------------------------------------------------------------------ naming
    @property
    def name(self):
        return self._name or snake_case(type(self).__name__)

    @name.setter
    def name(self, value):
        self._name = name_argument(value)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r}>"

    def __call__(self, inputs, **kwargs):
        """``layer(x, **kwargs)``: ``forward(x, **kwargs)``, as Keras's layers are called on
        arrays (``LSTM(4)(x)``, ``lstm(x, initial_state=[h0, c0])``); NumPy arrays out. A
        layer called on an ``Input`` is Keras's functional API, which minilstm does not
        have."""
        if isinstance(inputs, Input):
            raise TypeError(
                f"layer {self.name!r} was called on {inputs!r}: that builds a model in Keras's "
                "functional API, which minilstm does not have; give the Input to a Sequential "
                "(Sequential([Input(shape), layer, ...])), or call the layer on an array")
        return self.forward(inputs, **kwargs)

    @property
    def trainable(self):
        """Keras's flag: False freezes the layer's weights, which a model's optimiser then
        leaves as they are (gradients still flow through the layer to those before it)."""
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        self._trainable = flag("trainable", value)

    # ------------------------------------------------------------------ build
    def build(self, input_shape, rng=None):
        """Create the weights for ``input_shape`` (batch first, ``None`` allowed)."""
        input_shape = self._buildable_shape(input_shape)
        self.input_shape = input_shape
        self._output_shape = None
        self.params, self._grads, self._unwritten = {}, {}, set()
        self._storage_shared = False
        self._create_weights(input_shape, as_generator(rng))
        self.built = True

    def _buildable_shape(self, input_shape):
        """``input_shape`` as ``build`` takes it (a tuple of ints and None), or the
        ValueError that ``build`` raises for it."""
        batch, sizes = input_shape[0], tuple(input_shape[1:])
        input_shape = (None if batch is None else int(batch),) + (
            sample_shape(f"the input shape of {type(self).__name__} {self.name!r}", sizes)
            if sizes else ())          # no sizes: _check_build_shape's to refuse
        self._check_build_shape(input_shape)
        return input_shape

    def output_shape_for(self, input_shape):
        """The output shape that ``build(input_shape)`` would give, or the ValueError it
        would raise; nothing is built (a model checks a whole stack before building any)."""
        return self.compute_output_shape(self._buildable_shape(input_shape))

    def _check_build_shape(self, input_shape):
        """Subclasses raise a ValueError for shapes they cannot take."""

    def _create_weights(self, input_shape, rng):
        """Subclasses call ``_add_weight`` for each weight, in Keras's order."""

    def _add_weight(self, name, shape, initializer, rng):
        shape = tuple(shape)
        drawn = checked_weight_array(f"weight {name!r} of layer {self.name!r} from its "
                                     f"initializer", initializers.get(initializer)(
                                         shape, self.dtype, rng), shape)
        self.params[name] = np.ascontiguousarray(drawn, dtype=self.dtype)
        self._grads[name] = np.zeros(shape, dtype=self.dtype)

    def compute_output_shape(self, input_shape):
        raise NotImplementedError

    @property
    def output_shape(self):
        """``compute_output_shape`` of the built input shape, worked out once per build."""
        if self._output_shape is None:
            self._require_built("output_shape")
            self._output_shape = self.compute_output_shape(self.input_shape)
        return self._output_shape

    def _require_built(self, what):
        if not self.built:
            raise ValueError(
                f"layer {self.name!r} is not built yet, so it has no {what}: give the "
                "first layer input_shape=..., call build(input_shape), or run data through it"
            )

    # ------------------------------------------------------------------ config
    def get_config(self):
        """The constructor arguments, as JSON values: ``type(layer)(**config)`` rebuilds it."""
        input_shape = self.declared_input_shape
        return {"name": self.name, "dtype": str(self.dtype),
                "input_shape": None if input_shape is None else list(input_shape[1:])}

    # ------------------------------------------------------------------ weights
    @property
    def weights(self):
        """The weight arrays themselves, in Keras's order: Keras's ``layer.weights`` (its
        variables; here, writing into one changes the layer, and ``get_weights`` copies)."""
        return [self.params[name] for name in self.weight_names if name in self.params]

    @property
    def trainable_weights(self):
        return self.weights if self.trainable else []

    @property
    def non_trainable_weights(self):
        return [] if self.trainable else self.weights

    def get_weights(self):
        """Copies of the weights, in Keras's order (``weight_names``)."""
        return [weight.copy() for weight in self.weights]

    def set_weights(self, weights):
        """Load weights given in Keras's order. All of them are checked before any is
        copied (``checked_weights``), so a refused call leaves the layer as it was."""
        self.assign_weights(self.checked_weights(weights))

    def assign_weights(self, checked):
        """Copy ``checked_weights``'s ``(name, array)`` pairs into the weights."""
        for name, value in checked:
            np.copyto(self.params[name], value, casting="same_kind")

    def checked_weights(self, weights):
        """``(name, array)`` for each of ``weights``, given in Keras's order; a ValueError or
        TypeError naming the weight unless each has the weight's exact shape, a real number
        type and only finite values (a NaN set here would surface only as a NaN loss)."""
        self._require_built("weights")
        names = [name for name in self.weight_names if name in self.params]
        weights = list(weights)
        if len(weights) != len(names):
            raise ValueError(
                f"layer {self.name!r} expects {len(names)} weight arrays {names}; "
                f"got {len(weights)}"
            )
        return [(name, checked_weight_array(f"weight {name!r} of layer {self.name!r}", value,
                                            self.params[name].shape))
                for name, value in zip(names, weights)]

    def count_params(self):
        self._require_built("parameter count")
        return int(sum(value.size for value in self.params.values()))

    # ------------------------------------------------------------------ gradients
    @property
    def grads(self):
        """dL/d(weight) per weight name, summed over the backward passes since ``zero_grads``."""
        for name in self._unwritten:
            self._grads[name].fill(0)
        self._unwritten.clear()
        return self._grads

    def zero_grads(self):
        """Clear the gradients, lazily: the next ``_add_grad`` of each weight stores its
        gradient instead of adding it to zeros (two passes over the weights saved per
        training step), and reading ``grads`` zero-fills any weight left unwritten."""
        self._unwritten = set(self._grads)

    def _gradient_outputs(self, *names):
        """Where a kernel may write the gradients of ``names`` directly: the layer's own
        gradient array for each weight not written since ``zero_grads``, else None (the
        kernel then returns a new array, which ``_add_grad`` adds; also None for a name
        the layer has no weight for, such as ``bias`` with ``use_bias=False``)."""
        grads, unwritten = self._grads, self._unwritten
        return tuple([grads[name] if name in unwritten else None for name in names])

    def _add_grad(self, name, value):
        """grads[name] += value, where ``value`` is a new array the caller gives away (a
        kernel's result) or the gradient array itself, written by the kernel through
        ``_gradient_outputs``. The first new array after ``zero_grads`` is kept as it is,
        unless the gradients live in a model-wide buffer (``share_storage``): then it is
        copied there."""
        grad = self._grads[name]
        if value is grad:
            pass
        elif name not in self._unwritten:
            grad += value
        elif value.shape == grad.shape and value.dtype == grad.dtype \
                and not self._storage_shared:
            self._grads[name] = value
        else:
            np.copyto(grad, value)
        self._unwritten.discard(name)

    def _add_grads(self, names, values):
        """``_add_grad`` for each of ``names``, from a kernel that returns the gradients of
        many weights (the attention decoder's 24): those it wrote in place, into the arrays
        of ``_gradient_outputs``, are only marked written, in one set operation."""
        grads = self._grads
        for name, value in zip(names, values):
            if value is not grads[name]:
                self._add_grad(name, value)
        self._unwritten.difference_update(names)

    def share_storage(self, params, grads):
        """Move the weights into ``params`` and their gradients into ``grads``: flat arrays
        of the layer's dtype with ``count_params()`` elements, normally slices of buffers
        a model holds for all its layers (so that an optimiser updates every weight in one
        pass). Values are kept; from then on ``params`` and ``grads`` hold views of them."""
        offset = 0
        for name, value in self.params.items():
            stop = offset + value.size
            param_view = params[offset:stop].reshape(value.shape)
            grad_view = grads[offset:stop].reshape(value.shape)
            param_view[...] = value
            grad_view[...] = self.grads[name]
            self.params[name], self._grads[name] = param_view, grad_view
            offset = stop
        self._storage_shared = True

    # ------------------------------------------------------------------ inputs
    def _prepare_input(self, x, argument="x"):
        """Cast ``x`` to the layer's dtype, build on first use, check rank and features."""
        try:
            x = np.asarray(x, dtype=self.dtype)
        except (TypeError, ValueError) as error:
            raise TypeError(
                f"{argument} for layer {self.name!r} must be a numeric array; {error}"
            ) from None
        self._build_for(x)
        expected = self.input_shape
        if x.ndim != len(expected):
            raise ValueError(
                f"{argument} for layer {self.name!r} must have rank {len(expected)} "
                f"(shape {describe_shape(expected)}); got shape {x.shape} (rank {x.ndim})"
            )
        if expected[-1] is not None and x.shape[-1] != expected[-1]:
            raise ValueError(
                f"{argument} for layer {self.name!r} must have {expected[-1]} features on its "
                f"last axis (built for {describe_shape(expected)}); got shape {x.shape}"
            )
        return np.ascontiguousarray(x)

    def _checked_mask(self, mask, x):
        """The mask of ``x``'s steps (``compute_mask``) as booleans ``(B, T)``, or a ValueError
        naming it."""
        mask = np.asarray(mask)
        if mask.shape != x.shape[:2]:
            raise ValueError(f"mask for {type(self).__name__} {self.name!r} must have shape "
                             f"{x.shape[:2]} (batch, steps) of its input; got {mask.shape}")
        return mask != 0

    def _build_for(self, x):
        """Build an unbuilt layer on first use: for its declared input shape, else for
        ``x``'s."""
        if not self.built:
            self.build(self.declared_input_shape or (None,) + x.shape[1:])

    def _require_forward(self, state):
        """An error naming the layer when ``backward`` has no forward pass to go back
        through: ``state`` is the attribute that the layer's forward pass keeps for it."""
        if not hasattr(self, state):
            raise RuntimeError(f"layer {self.name!r} has no forward pass to go back through: "
                               "call forward(x) before backward(d_out)")

    def _check_gradient(self, d_out, expected_shape, argument="d_out",
                        shape_name="the output's shape"):
        if isinstance(d_out, (list, tuple)) and any(
                item is None or isinstance(item, np.ndarray) for item in d_out):
            raise ValueError(
                f"{argument} for layer {self.name!r} must be one array of {shape_name} "
                f"{tuple(expected_shape)}; got {describe_gradients(d_out)} "
                "(a list [d_output, d_h, d_c] is for an LSTM with return_state=True)")
        d_out = np.asarray(d_out, dtype=self.dtype)
        if d_out.shape != tuple(expected_shape):
            raise ValueError(
                f"{argument} for layer {self.name!r} must have {shape_name} "
                f"{tuple(expected_shape)}; got {d_out.shape}"
            )
        return d_out
