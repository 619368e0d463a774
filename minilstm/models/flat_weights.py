"""Every weight of a model in one contiguous array, every gradient in another.

An optimiser then updates all weights in one pass over three or four arrays
(weights, gradients, moments) instead of one call per weight: the echo tutorial's
attention model has 24 weight arrays, and a call per array cost more than the
update of its smaller ones. The layers keep their ``params`` and ``grads``
dictionaries; each entry becomes a view of its slice of the shared arrays
(``Layer.share_storage``).

The arrays that the optimiser's pass walks in step (weights, gradients and its moments, read
and written at the same index) start at different offsets within a 4 KiB page, 1 KiB apart.
A processor first matches a load against the stores still in flight by the low 12 bits of
their addresses; when the arrays share those bits, each load that follows a store to another
array matches falsely and waits for it ("4K aliasing"). Large allocations come at one offset
(each is mapped afresh: a page boundary plus the allocator's 16-byte header), so a model's
first arrays did share it: on this project's machine the Adam pass over the echo attention
model's 364k weights then took about 2.2x as long (``benchmarks/bench_optimizer.py``).
"""
import operator

import numpy as np


_params_of = operator.attrgetter("params")

PAGE_BYTES = 4096
LANE_BYTES = 1024                       # four lanes to a page: weights, gradients, 2 moments


def staggered_zeros(size, dtype, lane):
    """A zeroed ``(size,)`` array of ``dtype`` whose first element lies ``lane`` KiB
    (``lane`` taken modulo 4) past a 4 KiB boundary: arrays in different lanes never
    share the low 12 bits of the addresses of the same index."""
    dtype = np.dtype(dtype)
    block = np.zeros(size + PAGE_BYTES // dtype.itemsize, dtype)   # room to shift by a page
    offset = lane % (PAGE_BYTES // LANE_BYTES) * LANE_BYTES
    start = (offset - block.ctypes.data) % PAGE_BYTES // dtype.itemsize
    return block[start:start + size]                                # (size,)


def weight_key(layer, name):
    """The key of a layer's weight in a model, its optimiser's state and its file's index:
    ``'layer_name/weight_name'`` (``'lstm/kernel'``)."""
    return f"{layer.name}/{name}"


def _with_weights(layers):
    """The layers that have weights to train (RepeatVector, for one, has none; a frozen
    layer's, ``trainable = False``, are left as they are)."""
    return [layer for layer in layers if layer.params and layer.trainable]


class FlatWeights:
    """The weights of ``layers`` moved into ``params`` and their gradients into ``grads``.

    ``layout`` lists ``(key, start, stop, shape)`` per weight, keys as
    ``Model.named_parameters`` gives them (``'layer_name/weight_name'``), in that order.
    """

    def __init__(self, layers, dtype):
        self.layers = tuple(layers)
        total = sum(layer.count_params() for layer in self.layers)
        self.params = staggered_zeros(total, dtype, lane=0)       # (total,)
        self.grads = staggered_zeros(total, dtype, lane=1)        # (total,)
        self.layout = []
        start = 0
        for layer in self.layers:
            layer_slice = slice(start, start + layer.count_params())
            layer.share_storage(self.params[layer_slice], self.grads[layer_slice])
            for name, value in layer.params.items():
                self.layout.append((weight_key(layer, name), start, start + value.size,
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

    def state_arrays(self, count):
        """``count`` zeroed arrays laid out as ``params``, for an optimiser's moments: each
        in a lane of its own after the weights' and the gradients' (lanes 2, 3, ...)."""
        return [staggered_zeros(self.params.size, self.params.dtype, lane=2 + index)
                for index in range(count)]

    def gradient_views(self):
        """The gradient of each weight, as a view of ``grads`` shaped like the weight."""
        return [self.grads[start:stop].reshape(shape) for _, start, stop, shape in self.layout]
