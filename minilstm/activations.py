r"""Element-wise activations of ``Dense``: the function and its backward pass.

Each backward is written with the activation's *output* ``a = f(z)``, which the layer
already keeps, and the gradient arriving at it ``da = dL/da``: dz = da ⊙ f'(z), f'(z) from
a as ``kernels.recurrent_activations`` writes it for the recurrent layers' activations
(``linear``, ``relu``, ``tanh``, ``sigmoid``, ``hard_sigmoid``), and for softmax over the
last axis::

    softmax  a_k = e^{z_k} / Σ_j e^{z_j}    dz = a ⊙ (da - Σ_k da_k a_k)
"""
import functools

from .kernels import recurrent_activations
from .kernels.softmax_crossentropy import softmax as softmax_kernel
from .naming import lookup


def softmax(z):
    """Softmax over the last axis, shifted by the maximum for stability (a kernel with
    two twins: ``kernels.softmax_crossentropy``)."""
    return softmax_kernel(z)


def _softmax_backward(d_out, out):
    return out * (d_out - (d_out * out).sum(axis=-1, keepdims=True))


def _times_slope(slope, d_out, out):
    """da ⊙ f'(z), f'(z) = ``slope(a)``."""
    return d_out * slope(out)


def _pass_through(d_out, out):
    """linear's backward: f'(z) = 1, so dz = da, with no product to form."""
    return d_out


def _element_wise(name):
    """(f, backward) of a recurrent layer's activation, backward(da, a) = da ⊙ f'(z): a
    partial of module functions, which a model holding it can pickle."""
    function, slope = recurrent_activations.reference(name)
    if name == "linear":
        return function, _pass_through
    return function, functools.partial(_times_slope, slope)


_ACTIVATIONS = {**{name: _element_wise(name) for name in recurrent_activations.NAMES},
                "softmax": (softmax, _softmax_backward)}


def get(name):
    """Return ``(forward, backward)`` for an activation name; ``None`` means linear. Only
    names: each activation's derivative is written out here, so no function of the user's
    (a Keras model's ``activation=tf.nn.gelu``) can be taken."""
    return lookup("activation", "linear" if name is None else name, _ACTIVATIONS)


def canonical_name(name):
    """The registered name of an activation (``None`` -> ``'linear'``), validated."""
    get(name)
    return "linear" if name is None else name.lower()
