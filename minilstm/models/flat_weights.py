"""Every weight of a model in one contiguous array, every gradient in another.

An optimiser then updates all weights in one pass over three or four arrays
(weights, gradients, moments) instead of one call per weight: the echo tutorial's
attention model has 24 weight arrays, and a call per array cost more than the
update of its smaller ones. The layers keep their ``params`` and ``grads``
dictionaries; each entry becomes a view of its slice of the shared arrays
(``Layer.share_storage``).
"""
import operator

import numpy as np


_params_of = operator.attrgetter("params")


def _with_weights(layers):
    """The layers that have weights (RepeatVector, for one, has none)."""
    return [layer for layer in layers if layer.params]


class FlatWeights:
    """The weights of ``layers`` moved into ``params`` and their gradients into ``grads``.

    ``layout`` lists ``(key, start, stop, shape)`` per weight, keys as
    ``Model.named_parameters`` gives them (``'layer_name/weight_name'``), in that order.
    """

    def __init__(self, layers, dtype):
        self.layers = tuple(layers)
        total = sum(layer.count_params() for layer in self.layers)
        self.params = np.empty(total, dtype)                 # (total,)
        self.grads = np.empty(total, dtype)                  # (total,)
        self.layout = []
        start = 0
        for layer in self.layers:
            layer_slice = slice(start, start + layer.count_params())
            layer.share_storage(self.params[layer_slice], self.grads[layer_slice])
            for name, value in layer.params.items():
                self.layout.append((f"{layer.name}/{name}", start, start + value.size,
                                    value.shape))
                start += value.size
        # what ``holds`` checks: under each name, each layer's params hold its view
        views = [(layer, name, value) for layer in self.layers
                 for name, value in layer.params.items()]
        self._view_layers, self._view_names, self._views = zip(*views)

    @classmethod
    def of(cls, layers):
        """The layers' weights packed, or None where they cannot share one array
        (layers of different dtypes)."""
        layers = _with_weights(layers)
        dtypes = {layer.dtype for layer in layers}
        return cls(layers, dtypes.pop()) if len(dtypes) == 1 else None

    def holds(self, layers):
        """Whether this still holds the weights of ``layers``: false once a layer was
        added or removed, rebuilt (which gives it a new ``params`` dict of new arrays), or
        given another array under one of its weights' names."""
        with_weights = _with_weights(layers)
        return (len(with_weights) == len(self.layers)
                and all(map(operator.is_, with_weights, self.layers))
                and all(map(operator.is_, map(dict.get, map(_params_of, self._view_layers),
                                              self._view_names), self._views)))

    def gradient_views(self):
        """The gradient of each weight, as a view of ``grads`` shaped like the weight."""
        return [self.grads[start:stop].reshape(shape) for _, start, stop, shape in self.layout]
