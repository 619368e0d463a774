"""``Input(shape)``: a Sequential's input shape as its first entry, as Keras 3 writes it."""


class Input:
    """The shape of one sample of a model's input, without the batch axis.

    ``Sequential([Input((50, 1)), LSTM(20), Dense(5)])`` is the model that
    ``Sequential([LSTM(20, input_shape=(50, 1)), Dense(5)])`` makes: Keras 3's way of
    giving the input shape, which it prefers to ``input_shape=`` on the first layer. It
    holds no weights and is not one of the model's ``layers``. ``None`` stands for an axis
    of any size, e.g. ``Input((None, 12))`` for sequences of any length.

    Args:
        shape: a tuple of positive ints or None.
        name: optional, for the reader (Keras names its input tensor with it).
    """

    def __init__(self, shape, name=None):
        if not isinstance(shape, (tuple, list)) or not shape or any(
                size is not None and (isinstance(size, bool) or not isinstance(size, int)
                                      or size < 1) for size in shape):
            raise ValueError(f"Input's shape must be a non-empty tuple of positive ints or "
                             f"None, without the batch axis (e.g. (50, 1)); got {shape!r}")
        self.shape = tuple(shape)
        self.name = name

    def __repr__(self):
        return f"Input(shape={self.shape})"
