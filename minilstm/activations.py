r"""Element-wise activations: the function and its backward pass.

Each backward is written with the activation's *output* ``a = f(z)``, which the
layer already keeps, and the gradient arriving at it ``da = dL/da``::

    linear   a = z                          dz = da
    relu     a = max(z, 0)                  dz = da ⊙ [a > 0]
    tanh     a = tanh(z)                    dz = da ⊙ (1 - a²)
    sigmoid  a = 1 / (1 + e^{-z})           dz = da ⊙ a (1 - a)
    softmax  a_k = e^{z_k} / Σ_j e^{z_j}    dz = a ⊙ (da - Σ_k da_k a_k)   (last axis)
"""
import numpy as np

from .kernels.softmax_crossentropy import softmax as softmax_kernel
from .naming import lookup


def linear(z):
    return z


def relu(z):
    return np.maximum(z, 0)


def tanh(z):
    return np.tanh(z)


def sigmoid(z):
    """1 / (1 + e^{-z}), evaluated as (1 + tanh(z/2)) / 2 so it never overflows."""
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def softmax(z):
    """Softmax over the last axis, shifted by the maximum for stability (a kernel with
    two twins: ``kernels.softmax_crossentropy``)."""
    return softmax_kernel(z)


def _linear_backward(d_out, out):
    return d_out


def _relu_backward(d_out, out):
    return d_out * (out > 0)


def _tanh_backward(d_out, out):
    return d_out * (1.0 - out * out)


def _sigmoid_backward(d_out, out):
    return d_out * out * (1.0 - out)


def _softmax_backward(d_out, out):
    return out * (d_out - (d_out * out).sum(axis=-1, keepdims=True))


_ACTIVATIONS = {
    "linear": (linear, _linear_backward),
    "relu": (relu, _relu_backward),
    "tanh": (tanh, _tanh_backward),
    "sigmoid": (sigmoid, _sigmoid_backward),
    "softmax": (softmax, _softmax_backward),
}


def get(name):
    """Return ``(forward, backward)`` for an activation name; ``None`` means linear. Only
    names: each activation's derivative is written out here, so no function of the user's
    (a Keras model's ``activation=tf.nn.gelu``) can be taken."""
    return lookup("activation", "linear" if name is None else name, _ACTIVATIONS)


def canonical_name(name):
    """The registered name of an activation (``None`` -> ``'linear'``), validated."""
    get(name)
    return "linear" if name is None else name.lower()
