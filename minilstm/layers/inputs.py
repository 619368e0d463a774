"""``Input(shape)``: a Sequential's input shape as its first entry, as Keras 3 writes it."""
from ..checks import name_argument, sample_shape


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
        self.shape = sample_shape("Input's shape", shape)
        self.name = name_argument(name)

    def __repr__(self):
        return f"Input(shape={self.shape})"
