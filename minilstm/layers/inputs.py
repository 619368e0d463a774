"""``Input(shape)``: a Sequential's input shape as its first entry, as Keras 3 writes it."""
from ..checks import name_argument, positive_int, sample_shape


class Input:
    """The shape of one sample of a model's input, without the batch axis.

    ``Sequential([Input((50, 1)), LSTM(20), Dense(5)])`` is the model that
    ``Sequential([LSTM(20, input_shape=(50, 1)), Dense(5)])`` makes: Keras 3's way of
    giving the input shape, which it prefers to ``input_shape=`` on the first layer. It
    holds no weights and is not one of the model's ``layers``. ``None`` stands for an axis
    of any size, e.g. ``Input((None, 12))`` for sequences of any length.

    Args:
        shape: a tuple of positive ints or None.
        batch_size: the batch size every batch will have, which a stateful LSTM first in
            the model then checks (Keras 3's way of giving it); or ``batch_shape``, the
            batch size and the shape together: ``Input(batch_shape=(1, 1, 1))``.
        name: optional, for the reader (Keras names its input tensor with it).
    """

    def __init__(self, shape=None, batch_size=None, name=None, batch_shape=None):
        if batch_shape is not None:
            if shape is not None or batch_size is not None:
                raise ValueError("give Input batch_shape, or shape and batch_size; got both")
            if not isinstance(batch_shape, (tuple, list)) or len(batch_shape) < 2:
                raise ValueError(f"Input's batch_shape must be (batch, ...); got "
                                 f"{batch_shape!r}")
            batch_size, shape = batch_shape[0], tuple(batch_shape[1:])
        if shape is None:
            raise ValueError("Input needs a shape, e.g. Input((50, 1))")
        self.shape = sample_shape("Input's shape", shape)
        self.batch_size = None if batch_size is None else positive_int("Input's batch_size",
                                                                       batch_size)
        self.name = name_argument(name)

    def __repr__(self):
        return f"Input(shape={self.shape})"
