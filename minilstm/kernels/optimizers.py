r"""Optimiser updates as kernels: one pass over a weight array, two twins.

Each function updates ``param`` and its state arrays in place, from ``grad``
(all arrays of one shape and dtype). The rules (see ``minilstm/optimizers.py``)::

    sgd_momentum   m ← μ m - η g;   θ ← θ + m   (nesterov: θ ← θ + μ m - η g)
    rmsprop        v ← ρ v + (1 - ρ) g²;   u = η g / (√v + ε)
                   momentum μ > 0:  m ← μ m + u;   θ ← θ - m      else θ ← θ - u
    adam           m ← β₁ m + (1 - β₁) g;   v ← β₂ v + (1 - β₂) g²
                   θ ← θ - α m / (√v + ε)      α = η √(1 - β₂ᵗ) / (1 - β₁ᵗ), given

The NumPy twins make one array pass per operation; the Numba twins make one
pass in all, which is what matters for the many small weight arrays of the
tutorials' batch-1 models.
"""
import numpy as np

from .backend import dispatch
from .fast_math import like, one_minus
from .jitting import kernel_jit
from .shapes import require_one_float_dtype


SGD_ARRAYS = ("param", "grad", "velocity")             # each update's arrays, by name
RMSPROP_ARRAYS = ("param", "grad", "mean_square", "moving")
ADAM_ARRAYS = ("param", "grad", "m", "v")


def _check_arrays(names, arrays):
    """Every array a pass walks (``arrays``, param first) must have param's shape: the Numba
    twins' loops run over param's entries and index the others alike (``shapes``); and its
    float dtype: the Numba twins stored an update into integers truncated, where the NumPy
    twins failed. (Tuples, not keywords: a dict of them cost 0.3 us an update.)"""
    require_one_float_dtype(names, arrays)
    shape = arrays[0].shape
    for name, array in zip(names, arrays):
        if array.shape != shape:
            raise ValueError(f"{name} must have param's shape {shape}; got {array.shape}")


# ---------------------------------------------------------------- NumPy twin

def sgd_momentum_reference(param, grad, velocity, learning_rate, momentum, nesterov):
    _check_arrays(SGD_ARRAYS, (param, grad, velocity))
    velocity *= momentum
    velocity -= learning_rate * grad
    if nesterov:
        param += momentum * velocity - learning_rate * grad
    else:
        param += velocity


def rmsprop_reference(param, grad, mean_square, moving, learning_rate, rho, momentum,
                      epsilon):
    _check_arrays(RMSPROP_ARRAYS, (param, grad, mean_square, moving))
    mean_square *= rho
    mean_square += (1.0 - rho) * grad * grad
    step = learning_rate * grad / (np.sqrt(mean_square) + epsilon)
    if momentum > 0.0:
        moving *= momentum
        moving += step
        step = moving
    param -= step


def adam_reference(param, grad, m, v, step_size, beta_1, beta_2, epsilon):
    _check_arrays(ADAM_ARRAYS, (param, grad, m, v))
    m *= beta_1
    m += (1.0 - beta_1) * grad
    v *= beta_2
    v += (1.0 - beta_2) * grad * grad
    param -= step_size * m / (np.sqrt(v) + epsilon)


# ---------------------------------------------------------------- Numba twin

# Each pass takes flat (1-D) views of its C-contiguous arrays, so that one compiled
# version serves every weight shape (a 2-D signature next to the 1-D one cost another
# 0.5 to 0.9 s of compilation on an empty cache), and takes the hyper-parameters in the
# weights' dtype, so float32 runs in float32 SIMD.

@kernel_jit()
def _sgd_momentum_pass(param, grad, velocity, learning_rate, momentum, nesterov):
    learning_rate, momentum = like(param, learning_rate), like(param, momentum)
    for i in range(param.shape[0]):
        velocity[i] = momentum * velocity[i] - learning_rate * grad[i]
        if nesterov:
            param[i] += momentum * velocity[i] - learning_rate * grad[i]
        else:
            param[i] += velocity[i]


@kernel_jit()
def _rmsprop_pass(param, grad, mean_square, moving, learning_rate, rho, momentum, epsilon):
    learning_rate, rho = like(param, learning_rate), like(param, rho)
    momentum, epsilon = like(param, momentum), like(param, epsilon)
    for i in range(param.shape[0]):
        g = grad[i]
        mean_square[i] = rho * mean_square[i] + one_minus(rho) * g * g
        step = learning_rate * g / (np.sqrt(mean_square[i]) + epsilon)
        if momentum > 0:
            moving[i] = momentum * moving[i] + step
            step = moving[i]
        param[i] -= step


@kernel_jit()
def _adam_pass(param, grad, m, v, step_size, beta_1, beta_2, epsilon):
    step_size, beta_1 = like(param, step_size), like(param, beta_1)
    beta_2, epsilon = like(param, beta_2), like(param, epsilon)
    for i in range(param.shape[0]):
        g = grad[i]
        m[i] = beta_1 * m[i] + one_minus(beta_1) * g
        v[i] = beta_2 * v[i] + one_minus(beta_2) * g * g
        param[i] -= step_size * m[i] / (np.sqrt(v[i]) + epsilon)


def _check_updatable(*arrays):
    """The passes update in place through flat views; a copy would drop the update."""
    for array in arrays:
        if not array.flags.c_contiguous:
            raise ValueError("optimizer kernels update weights and state in place and need "
                             f"C-contiguous arrays; got strides {array.strides} for shape "
                             f"{array.shape}")


def _flat_gradient(grad):
    """The gradient as the passes read it: one contiguous run of values."""
    return np.ascontiguousarray(grad).reshape(-1)


def sgd_momentum_numba(param, grad, velocity, learning_rate, momentum, nesterov):
    _check_arrays(SGD_ARRAYS, (param, grad, velocity))
    _check_updatable(param, velocity)
    _sgd_momentum_pass(param.reshape(-1), _flat_gradient(grad), velocity.reshape(-1),
                       learning_rate, momentum, nesterov)


def rmsprop_numba(param, grad, mean_square, moving, learning_rate, rho, momentum, epsilon):
    _check_arrays(RMSPROP_ARRAYS, (param, grad, mean_square, moving))
    _check_updatable(param, mean_square, moving)
    _rmsprop_pass(param.reshape(-1), _flat_gradient(grad), mean_square.reshape(-1),
                  moving.reshape(-1), learning_rate, rho, momentum, epsilon)


def adam_numba(param, grad, m, v, step_size, beta_1, beta_2, epsilon):
    _check_arrays(ADAM_ARRAYS, (param, grad, m, v))
    _check_updatable(param, m, v)
    _adam_pass(param.reshape(-1), _flat_gradient(grad), m.reshape(-1), v.reshape(-1),
               step_size, beta_1, beta_2, epsilon)


sgd_momentum = dispatch(sgd_momentum_reference, sgd_momentum_numba)
rmsprop = dispatch(rmsprop_reference, rmsprop_numba)
adam = dispatch(adam_reference, adam_numba)
