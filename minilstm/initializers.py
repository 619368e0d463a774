r"""Weight initialisers with Keras's names and formulas.

Every initialiser is a callable ``init(shape, dtype, rng) -> array``.
Fans follow Keras: for a 2-D shape ``(fan_in, fan_out)``; for more axes the
leading ones multiply into both (receptive field).

    glorot_uniform  U(-l, l),  l = sqrt(6 / (fan_in + fan_out))
    glorot_normal   truncated N(0, s²) at 2s, s = sqrt(2 / (fan_in + fan_out)) / .8796
    he_uniform      U(-l, l),  l = sqrt(6 / fan_in)
    he_normal       truncated N(0, s²) at 2s, s = sqrt(2 / fan_in) / .8796
    orthogonal      Q of the QR decomposition of a normal matrix, sign-corrected:
                    orthonormal columns (rows when the matrix is wider than tall)
    random_uniform  U(-0.05, 0.05)          random_normal  N(0, 0.05²)
    zeros, ones, Constant(value)
"""
import numpy as np

from .checks import finite_number
from .naming import is_function, lookup

# Standard deviation of N(0, 1) truncated to [-2, 2]; dividing by it keeps the
# truncated draw at the intended variance (Keras's constant).
_TRUNCATED_STD = 0.87962566103423978


def _fans(shape):
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    return shape[-2] * receptive, shape[-1] * receptive


def _truncated_normal(shape, stddev, rng):
    draw = rng.standard_normal(shape)
    outside = np.abs(draw) > 2.0
    while outside.any():
        draw[outside] = rng.standard_normal(int(outside.sum()))
        outside = np.abs(draw) > 2.0
    return draw * stddev


def zeros(shape, dtype, rng=None):
    return np.zeros(shape, dtype=dtype)


def ones(shape, dtype, rng=None):
    return np.ones(shape, dtype=dtype)


class Constant:
    """Fill with one value: ``Constant(0.5)``."""

    def __init__(self, value=0.0):
        self.value = finite_number("Constant's value", value)

    def __call__(self, shape, dtype, rng=None):
        return np.full(shape, self.value, dtype=dtype)


def glorot_uniform(shape, dtype, rng):
    fan_in, fan_out = _fans(shape)
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=shape).astype(dtype)


def glorot_normal(shape, dtype, rng):
    fan_in, fan_out = _fans(shape)
    stddev = np.sqrt(2.0 / (fan_in + fan_out)) / _TRUNCATED_STD
    return _truncated_normal(shape, stddev, rng).astype(dtype)


def he_uniform(shape, dtype, rng):
    fan_in, _ = _fans(shape)
    limit = np.sqrt(6.0 / fan_in)
    return rng.uniform(-limit, limit, size=shape).astype(dtype)


def he_normal(shape, dtype, rng):
    fan_in, _ = _fans(shape)
    stddev = np.sqrt(2.0 / fan_in) / _TRUNCATED_STD
    return _truncated_normal(shape, stddev, rng).astype(dtype)


def orthogonal(shape, dtype, rng):
    if len(shape) < 2:
        raise ValueError(f"orthogonal initialiser needs a shape of rank >= 2; got {shape}")
    rows, cols = int(np.prod(shape[:-1])), shape[-1]
    normal = rng.standard_normal((max(rows, cols), min(rows, cols)))  # tall
    q, r = np.linalg.qr(normal)
    q = q * np.sign(np.diag(r))        # make the decomposition unique
    if rows < cols:
        q = q.T                        # orthonormal rows
    return q.reshape(shape).astype(dtype)


def random_uniform(shape, dtype, rng):
    return rng.uniform(-0.05, 0.05, size=shape).astype(dtype)


def random_normal(shape, dtype, rng):
    return (0.05 * rng.standard_normal(shape)).astype(dtype)


_INITIALIZERS = {
    "zeros": zeros,
    "ones": ones,
    "glorot_uniform": glorot_uniform,
    "glorot_normal": glorot_normal,
    "he_uniform": he_uniform,
    "he_normal": he_normal,
    "orthogonal": orthogonal,
    "random_uniform": random_uniform,
    "random_normal": random_normal,
}


def get(initializer):
    """An initialiser from its name, its saved form, or the callable itself."""
    if is_function(initializer):
        return initializer
    if isinstance(initializer, dict) and initializer.get("class_name") == "Constant":
        return Constant(initializer["value"])
    return lookup("initializer", initializer, _INITIALIZERS,
                  also="a function (shape, dtype, rng) -> array")


def checked(argument, initializer):
    """``initializer`` when ``get`` takes it; else ``get``'s error, naming ``argument``
    (``kernel_initializer``...), raised where the layer is made rather than built."""
    try:
        get(initializer)
    except (TypeError, ValueError) as error:
        raise type(error)(f"{argument}: {error}") from None
    return initializer


def serialize(initializer):
    """The JSON form of an initialiser: its name, or ``Constant``'s value."""
    if isinstance(initializer, str):
        get(initializer)
        return initializer
    if isinstance(initializer, dict):                # already in saved form
        initializer = get(initializer)
    if isinstance(initializer, Constant):
        return {"class_name": "Constant", "value": initializer.value}
    raise ValueError(f"initializer {initializer!r} cannot be saved: give it by name "
                     f"({', '.join(sorted(_INITIALIZERS))}) or as Constant(value)")
