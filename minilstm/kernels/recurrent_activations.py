r"""The activations a recurrent kernel may take (Keras's ``activation`` and
``recurrent_activation``), each with its derivative written with its output y = f(z),
which the kernels keep from the forward pass::

    name           f(z)                                f'(z), from y = f(z)
    tanh           tanh(z)                             1 - y²
    sigmoid        1 / (1 + e^{-z})                    y (1 - y)
    hard_sigmoid   min(max(z + 3, 0), 6) / 6           1/6 where 0 < y < 1, else 0
    relu           max(z, 0)                           1 where y > 0, else 0
    linear         z                                   1

``hard_sigmoid`` is Keras 3's (relu6(z + 3) / 6; Keras 2's was clip(0.2 z + 0.5, 0, 1)).
Where f is flat (relu below 0, hard_sigmoid outside (-3, 3)) the derivative is 0, at the
corners too, as TensorFlow's and PyTorch's are. An activation whose derivative needs z
itself (``gelu``, ``swish``) is not here: the kernels keep only y.

Two forms of each, for the two twins of every kernel:

- ``reference(name)``: ``(f, f')`` as NumPy functions of arrays, ``f'`` taking y;
- ``marker(name)``: a value whose Numba type names the activation, for the jitted loops,
  which call ``activate(marker, z)`` and ``derivative(marker, y)`` on scalars. Numba
  compiles a loop once for each marker it is given and picks the scalar form when it
  compiles (``overload``), so a loop for Keras's defaults is the loop written for them
  alone, and a loop for another activation is compiled only when one is first given. In
  float32 ``tanh`` and ``sigmoid`` are ``fast_math``'s rational forms, in float64 libm's.

A marker is a zero of a NumPy integer type of its own (``_MARKER_TYPES``): Numba types a
NumPy scalar from Python at no measurable cost and passes it between jitted functions in a
register. An empty array whose dtype named the activation cost about 2.5 µs more a forward
pass at the sine tutorial's (1, 50, 1, 20), handed to the gate step at every step, and an
empty named tuple about 1.5 µs more at every call from Python (ad hoc, ``timeit``). The
scalar forms are ``overload``s compiled as functions of their own and inlined into their
callers by LLVM, as ``fast_math``'s are: inlined by Numba instead (``inline="always"``) they
ran no faster and made an empty cache's first echo training step about 0.2 s longer (ad
hoc, ``bench_startup``'s recipe).
"""
import numpy as np
from numba.extending import overload

from .fast_math import one_minus, sigmoid, tanh
from .jitting import INLINED_HELPER_OPTIONS
from .reference_math import sigmoid as sigmoid_reference

NAMES = ("tanh", "sigmoid", "hard_sigmoid", "relu", "linear")

_MARKER_TYPES = {"tanh": np.int8, "sigmoid": np.uint8, "hard_sigmoid": np.int16,
                 "relu": np.uint16, "linear": np.int32}
_MARKERS = {name: scalar(0) for name, scalar in _MARKER_TYPES.items()}
_NAMES_BY_TYPE = {np.dtype(scalar).name: name for name, scalar in _MARKER_TYPES.items()}


# The NumPy forms, functions of the module (a model holding them can be pickled)

def _tanh_slope(y):
    return 1.0 - y * y


def _sigmoid_slope(y):
    return y * (1.0 - y)


def _hard_sigmoid(z):
    return np.minimum(np.maximum(z + 3.0, 0.0), 6.0) / 6.0


def _hard_sigmoid_slope(y):
    return _where((y > 0) & (y < 1), y, 1 / 6)


def _relu(z):
    return np.maximum(z, 0.0)


def _relu_slope(y):
    return _where(y > 0, y)


def _linear(z):
    return z


def _where(condition, y, value=1.0):
    """``value`` where ``condition`` holds, else 0, in y's dtype."""
    return np.where(condition, y.dtype.type(value), y.dtype.type(0))


_REFERENCE = {
    "tanh": (np.tanh, _tanh_slope),
    "sigmoid": (sigmoid_reference, _sigmoid_slope),
    "hard_sigmoid": (_hard_sigmoid, _hard_sigmoid_slope),
    "relu": (_relu, _relu_slope),
    "linear": (_linear, np.ones_like),
}


def checked(argument, name):
    """The activation ``name`` in lower case, as ``Dense`` takes its own (None:
    ``'linear'``, as in Keras), or a ValueError naming ``argument``, what it got and the
    names a recurrent kernel takes. A name already in lower case (a layer's, checked when
    it was built) is returned as it is: the kernels check theirs at every call."""
    if isinstance(name, str):
        if name in NAMES:
            return name
        if name.lower() in NAMES:
            return name.lower()
    elif name is None:
        return "linear"
    raise ValueError(f"{argument} must be one of {', '.join(map(repr, NAMES))} (or None "
                     f"for 'linear'); got {name!r}")


def reference(name):
    """``(f, f')`` of the activation ``name`` for arrays, ``f'`` taking y = f(z)."""
    return _REFERENCE[name]


def marker(name):
    """The value that stands for the activation ``name`` in jitted code."""
    return _MARKERS[name]


def kind(marker_type):
    """The name of the activation a marker's Numba type stands for."""
    return _NAMES_BY_TYPE[marker_type.name]


def activate(marker, z):
    """f(z) for a scalar z, in jitted code (the module docstring)."""


def derivative(marker, y):
    """f'(z) from y = f(z), for a scalar y, in jitted code (the module docstring)."""


def _is_float32(x):
    return getattr(x, "bitwidth", 64) == 32


@overload(activate, jit_options=INLINED_HELPER_OPTIONS)
def _activate_by_marker(marker, z):
    name = kind(marker)
    if name == "tanh":
        return lambda marker, z: tanh(z)
    if name == "sigmoid":
        return lambda marker, z: sigmoid(z)
    if name == "linear":
        return lambda marker, z: z
    zero, three, six = (np.float32(v) if _is_float32(z) else float(v) for v in (0, 3, 6))
    if name == "relu":
        return lambda marker, z: max(z, zero)
    return lambda marker, z: min(max(z + three, zero), six) / six   # hard_sigmoid


@overload(derivative, jit_options=INLINED_HELPER_OPTIONS)
def _derivative_by_marker(marker, y):
    name = kind(marker)
    if name == "tanh":
        return lambda marker, y: one_minus(y * y)
    if name == "sigmoid":
        return lambda marker, y: y * one_minus(y)
    zero, one, sixth = (np.float32(v) if _is_float32(y) else float(v) for v in (0, 1, 1 / 6))
    if name == "linear":
        return lambda marker, y: one
    if name == "relu":
        return lambda marker, y: (y > zero) * one
    return lambda marker, y: ((y > zero) & (y < one)) * sixth        # hard_sigmoid
