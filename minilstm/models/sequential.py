"""Sequential: a plain stack of layers, each feeding the next, as in Keras."""
from ..layers import Input, Layer
from ..layers import from_config as layer_from_config
from ..layers.base import SUMMED_OVER_STEPS, describe_shape
from .flat_weights import weight_key
from .model import Model


def _require_fit(layer, incoming):
    """A ValueError when ``layer`` is built for inputs that arrays of shape ``incoming``
    do not fit: another rank, or another size on an axis both fix (None is any size)."""
    if not layer.built:
        return
    built_for = layer.input_shape
    if len(incoming) != len(built_for) or any(
            a is not None and b is not None and a != b for a, b in zip(incoming, built_for)):
        raise ValueError(
            f"layer {layer.name!r} is built for input {describe_shape(built_for)}, "
            f"but here it would receive {describe_shape(incoming)}")


class Sequential(Model):
    """A linear stack of layers.

    Args:
        layers: optional list of layers, added in order; the first entry may be an
            ``Input(shape)``, Keras 3's way of giving the input shape.
        name: shown by ``summary()``.
        seed: an int or ``numpy.random.Generator`` for weight initialisation and
            shuffling; by default the package generator (``minilstm.set_seed``).

    Example (the damped-sine tutorial)::

        model = Sequential()
        model.add(LSTM(20, return_sequences=True, input_shape=(50, 1)))
        model.add(LSTM(20))
        model.add(Dense(5))
        model.compile(loss="mae", optimizer="adam")
        model.fit(X, y, batch_size=10, epochs=1)
    """

    def __init__(self, layers=None, name="sequential", seed=None):
        super().__init__(name=name, seed=seed)
        self._layers = []
        self._input_shape = None           # (None, ...) from an Input(shape) entry
        self._input_batch_size = None      # from Input(batch_size=...) or its batch_shape
        if isinstance(layers, (Layer, Input, str)):
            raise TypeError(f"layers must be a list of layers, e.g. Sequential([layer]); got "
                            f"{type(layers).__name__} {layers!r}")
        for layer in layers or []:
            self.add(layer)

    @property
    def layers(self):
        return list(self._layers)

    @property
    def built(self):
        return bool(self._layers) and all(layer.built for layer in self._layers)

    def add(self, layer):
        """Append a layer; it is built at once when the input shape is known. An
        ``Input(shape)``, first, gives that shape."""
        if isinstance(layer, Input):
            self._add_input(layer)
            return
        if not isinstance(layer, Layer):
            raise TypeError(f"Sequential.add takes a minilstm Layer or Input; "
                            f"got {type(layer).__name__}")
        if layer.stack_refusal:
            raise ValueError(f"Sequential passes one array from layer to layer; "
                             f"{type(layer).__name__} {layer.name!r} {layer.stack_refusal}")
        declared = layer.declared_input_shape
        if not self._layers and self._input_batch_size is not None \
                and getattr(layer, "stateful", False) and layer.batch_size is None:
            layer.batch_size = self._input_batch_size     # Keras 3's fixed batch, for its states
        if not self._layers and self._input_shape is not None:
            if declared is not None and declared != self._input_shape:
                raise ValueError(
                    f"layer {layer.name!r} has input_shape {describe_shape(declared[1:])}, "
                    f"but the model's Input has shape {describe_shape(self._input_shape[1:])}")
            declared = self._input_shape
        if not self._layers and declared is None and layer.first_layer_requirement:
            raise ValueError(
                f"{type(layer).__name__} {layer.name!r} cannot open a model without "
                f"input_shape: {layer.first_layer_requirement}")
        if self._layers and layer.reads_indices:
            raise ValueError(f"{type(layer).__name__} {layer.name!r} reads the data's integer "
                             "indices, which have no gradient: it must be the model's first "
                             "layer")
        if self._layers and layer.declared_input_shape is not None:
            raise ValueError(f"only the first layer takes input_shape; layer {layer.name!r} "
                             "is not first")
        if any(existing is layer for existing in self._layers):
            raise ValueError(f"layer {layer.name!r} is in model {self.name!r} already: a layer "
                             "keeps one forward pass for its backward pass, so each place in "
                             "a model needs a layer of its own")
        taken = {existing.name for existing in self._layers}
        given_name = layer._name
        if given_name is None:
            layer.name = self._unique_name(layer.name, taken)
        elif layer.name in taken:
            raise ValueError(f"layer names must be unique in a model; {layer.name!r} is taken")
        previous = self._layers[-1] if self._layers else None
        incoming = declared if previous is None else \
            previous.output_shape if previous.built else None
        try:
            if incoming is not None:
                _require_fit(layer, incoming)
                if not layer.built:
                    layer.build(incoming, self.rng)
        except ValueError:
            layer.name = given_name             # a refused layer leaves no trace
            raise
        self._layers.append(layer)

    def pop(self):
        """Remove the last layer and return it, as Keras's ``pop`` (to put another head on a
        trained stack, say). The optimiser forgets the moments of its weights: they are kept
        by name, and a layer added later may take the popped one's (``'dense/kernel'``)."""
        if not self._layers:
            raise TypeError(f"model {self.name!r} has no layers to pop")
        layer = self._layers.pop()
        if self.optimizer is not None:
            for weight_name in layer.params:
                self.optimizer.state.pop(weight_key(layer, weight_name), None)
        return layer

    def _add_input(self, entry):
        """The model's input shape from ``Input(shape)``, which must come first, once."""
        if self._layers or self._input_shape is not None:
            raise ValueError(f"{entry!r} must be the first entry of Sequential {self.name!r}, "
                             "and its only Input")
        self._input_shape = (None,) + entry.shape
        self._input_batch_size = entry.batch_size

    def get_config(self):
        """Name, layers, input shape (and an Input's batch size) and (with ``seed=``) the
        generator's exact state."""
        return {"name": self.name,
                "layers": [{"class_name": type(layer).__name__, "config": layer.get_config()}
                           for layer in self._layers],
                "input_shape": list(self._layers[0].input_shape) if self.built else None,
                **({} if self._input_batch_size is None else {
                    "input_batch_size": self._input_batch_size}),
                **self._generator_config()}

    @classmethod
    def from_config(cls, config):
        model = cls(name=config["name"], seed=cls._generator_to_restore(config))
        if config["input_shape"] is not None:    # as built, whether by Input, input_shape or data
            model.add(Input(tuple(config["input_shape"][1:]),
                            batch_size=config.get("input_batch_size")))
        for description in config["layers"]:
            model.add(layer_from_config(description))
        model._restore_generator(config)         # after building, which draws from it
        return model

    @staticmethod
    def _unique_name(base, taken):
        name, number = base, 0
        while name in taken:
            number += 1
            name = f"{base}_{number}"
        return name

    def build(self, input_shape):
        """Build every layer for ``input_shape`` (batch first, e.g. ``(None, 50, 1)``)."""
        if not self._layers:
            raise ValueError(f"model {self.name!r} has no layers to build")
        shape = tuple(input_shape)
        for layer in self._layers:          # every layer checked before any is built
            _require_fit(layer, shape)
            shape = layer.output_shape if layer.built else layer.output_shape_for(shape)
        shape = tuple(input_shape)
        for layer in self._layers:
            if not layer.built:
                layer.build(shape, self.rng)
            shape = layer.output_shape

    def _ensure_built(self, xs):
        if not self._layers:
            raise ValueError(f"model {self.name!r} has no layers: add some first")
        if not self.built:
            self.build((None,) + xs[0].shape[1:])

    @property
    def input_shapes(self):
        return [self._layers[0].input_shape]

    @property
    def output_shape(self):
        self._require_built("output shape")
        return self._layers[-1].output_shape

    def _forward(self, xs, training):
        """The layers in turn, each given the mask of the steps its input carries where it
        reads one (``Layer`` protocol); the mask the output carries is kept for the loss and
        the metrics (``_output_mask``)."""
        (x,) = xs
        mask = None
        for layer in self._layers:
            if mask is not None and layer.takes_mask:
                output = layer.forward(x, training=training, mask=mask)
            else:
                output = layer.forward(x, training=training)
            if mask is not None or layer.makes_mask:
                mask = layer.compute_mask(x, mask)
            x = output
        self._output_mask = mask
        return x

    def _backward(self, d_out, skip_activation=False):
        """From the last layer back to the first that has weights, which is told that no
        input gradient is wanted: nothing before it has anything to learn. A layer after
        one that needs only the sum of its output gradient over the steps (``RepeatVector``)
        is asked for that sum, where it can give it (``Layer.gives_summed_input_gradient``)."""
        layers = self._layers
        last = len(layers) - 1
        first = 0                           # layers before it have nothing to train
        while first < last and not (layers[first].params and layers[first].trainable):
            first += 1

        def wanted(index):
            if index == first:
                return False
            if layers[index].gives_summed_input_gradient \
                    and layers[index - 1].takes_summed_output_gradient:
                return SUMMED_OVER_STEPS
            return True

        if skip_activation:
            d_out = layers[last].backward(d_out, skip_activation=True, input_gradient=wanted(last))
            last -= 1
        for index in range(last, first - 1, -1):
            d_out = layers[index].backward(d_out, input_gradient=wanted(index))
