r"""Check hand-written gradients against central finite differences.

For a scalar function L of an array θ, the numerical gradient is the
fourth-order central difference::

    dL/dθ_i ≈ [8 (L(θ + h e_i) - L(θ - h e_i)) - (L(θ + 2h e_i) - L(θ - 2h e_i))] / (12 h)

with h = 1e-3 by default. Its truncation error is O(h⁴) (about 1e-12 here) and
its round-off error about ε|L|/h ≈ 1e-13, so gradients as small as 1e-5 are
still measured to ~1e-8 relative. (The two-point difference needs h near 1e-6
for the same truncation error, where round-off alone reaches 1e-6 relative on
such small gradients.) Near a kink (``relu``, ``mae``) the difference is
meaningless within 2h of it: check at points away from kinks.

and each array's agreement is reported as its maximum relative error::

    error(a, n) = max_i |a_i - n_i| / max(max_i |a_i|, max_i |n_i|, 1e-12)

where ``a`` is the analytic (backward-pass) gradient and ``n`` the numerical
one. Dividing by the array's largest entry (rather than entry by entry) keeps
the error meaningful where single entries are near zero. In float64 a correct
gradient gives errors around 1e-9; a wrong one gives errors near 1.

Layers are checked through ``L = Σ_k Σ R_k ⊙ output_k`` with fixed random
weights ``R_k`` (one per output array), so every output entry matters.

Everything must be in float64: build layers with ``dtype='float64'``. A layer that draws
noise while training (``Dropout``, in ``check_layer(..., training=True)`` and in
``check_model``, which runs the training pass) has its ``noise_generator`` put back to one
state before every evaluation, so that each draws the same mask; afterwards the generator
is where the check's first pass left it. A stateful LSTM's carried ``states`` are held the
same way: every evaluation starts from the states the first pass left.

Example::

    layer = LSTM(3, return_sequences=True, dtype="float64")
    errors = check_layer(layer, x)          # {'x': 2e-10, 'kernel': 5e-10, ...}
    assert max(errors.values()) < 1e-6
"""
import numpy as np

from . import losses
from .checks import positive_number, require_finite

FLOOR = 1e-12
# what check_layer calls of a layer: the layer protocol (minilstm.layers.base)
_LAYER_PROTOCOL = ("forward", "backward", "zero_grads", "params", "grads", "dtype")


def relative_error(analytic, numeric, name=None):
    """``max|a - n| / max(max|a|, max|n|, 1e-12)`` (see the module docstring).

    A NaN or an infinity in either gradient is a ValueError naming it (and ``name``, the
    array whose gradient it is): the error would be NaN, which no check can read.
    """
    analytic, numeric = np.asarray(analytic, np.float64), np.asarray(numeric, np.float64)
    if analytic.shape != numeric.shape:
        raise ValueError(f"gradient shapes differ: analytic {analytic.shape}, "
                         f"numeric {numeric.shape}")
    of = "" if name is None else f" of {name}"
    require_finite(analytic, f"the analytic gradient{of}")
    require_finite(numeric, f"the numerical gradient{of}")
    if analytic.size == 0:
        return 0.0
    scale = max(np.abs(analytic).max(), np.abs(numeric).max(), FLOOR)
    return float(np.abs(analytic - numeric).max() / scale)


def numerical_gradient(function, array, step=1e-3):
    """Fourth-order central differences of the scalar ``function()`` w.r.t. ``array``.

    ``array`` is perturbed in place, one entry at a time, and restored.
    """
    positive_number("step", step)
    if array.dtype != np.float64:
        raise TypeError(f"finite differences need a float64 array; got {array.dtype}")
    gradient = np.zeros_like(array)
    flat, flat_gradient = array.reshape(-1), gradient.reshape(-1)
    for i in range(flat.size):
        original = flat[i]
        values = []
        for offset in (step, -step, 2.0 * step, -2.0 * step):
            flat[i] = original + offset
            values.append(function())
        flat[i] = original
        near, far = values[0] - values[1], values[2] - values[3]
        flat_gradient[i] = (8.0 * near - far) / (12.0 * step)
    return gradient


def _require_layer(layer):
    missing = [name for name in _LAYER_PROTOCOL if not hasattr(layer, name)]
    if missing:
        raise TypeError(f"check_layer takes a layer (a minilstm Layer, or an object with "
                        f"{', '.join(_LAYER_PROTOCOL)}); got {type(layer).__name__}, "
                        f"without {', '.join(missing)}")


def _require_float64(layers):
    for layer in layers:
        if layer.dtype != np.float64:
            raise TypeError(f"gradient checks run in float64; layer {layer.name!r} is "
                            f"{layer.dtype}: build it with dtype='float64'")


def _finite_float64(array, label):
    """A float64 copy of ``array`` (perturbed in place by the differences), all finite: a
    NaN would make every error NaN."""
    array = np.array(array, dtype=np.float64)
    require_finite(array, label)
    return array


def _as_list(output):
    return list(output) if isinstance(output, (list, tuple)) else [output]


def _every_layer(layers):
    """``layers`` and the layers inside them (a wrapper's ``inner_layers``)."""
    for layer in layers:
        yield layer
        yield from _every_layer(getattr(layer, "inner_layers", ()))


def _held_state(layers):
    """A function that puts back, as they are now, the noise generator of each of ``layers``
    (and of the layers inside them) that has one (a Dropout's, an LSTM's with ``dropout``
    or ``recurrent_dropout``: ``noise_generator``) and the states a stateful layer carries
    from call to call (a stateful LSTM's ``states``)."""
    layers = list(_every_layer(layers))
    generators = {id(generator): generator for generator in (
        getattr(layer, "noise_generator", None) for layer in layers) if generator is not None}
    noise = [(generator, generator.bit_generator.state) for generator in generators.values()]
    carried = [(layer, layer.states) for layer in layers if getattr(layer, "stateful", False)]

    def restore():
        for generator, state in noise:
            generator.bit_generator.state = state
        for layer, states in carried:
            layer.states = states
    return restore


def check_layer(layer, x, initial_state=None, seed=0, step=1e-3, training=False, mask=None,
                **inputs):
    """Max relative error of dL/dx (but for a layer that reads indices, an Embedding's, which
    have none), of every parameter and, when given, of the initial state and of each
    further input.

    ``inputs``: arrays that ``forward`` takes by name besides ``x`` (``AttentiveLSTM``'s
    ``memory``); the layer gives the gradient of each as ``d_<name>`` after ``backward``.
    ``training``: check the training pass (``forward(x, training=True)``: a Dropout's).
    ``mask``: the mask of x's steps ``(B, T)``, given to ``forward`` as it is (for a layer
    that ``takes_mask``: an LSTM's), not a variable of the loss.

    Returns ``{'x': e, 'kernel': e, ..., 'initial_state[0]': e, ..., 'memory': e}``.
    """
    _require_layer(layer)
    _require_float64([layer])
    x = np.array(x) if getattr(layer, "reads_indices", False) else _finite_float64(x, "x")
    states = None if initial_state is None else [
        _finite_float64(state, f"initial_state[{index}]")
        for index, state in enumerate(initial_state)]
    inputs = {name: _finite_float64(array, name) for name, array in inputs.items()}
    kwargs = {**inputs, **({} if states is None else {"initial_state": states}),
              **({"training": True} if training else {}),
              **({} if mask is None else {"mask": mask})}
    first = layer.forward(x, **kwargs)          # builds the layer; the outputs' shapes
    restore_state = _held_state([layer])

    def forward():
        restore_state()
        return layer.forward(x, **kwargs)

    rng = np.random.default_rng(seed)
    projections = [rng.standard_normal(np.shape(out)) for out in _as_list(first)]

    def loss():
        outputs = _as_list(forward())
        return float(sum(np.sum(r * out) for r, out in zip(projections, outputs)))

    forward()
    layer.zero_grads()
    single = projections if isinstance(first, (list, tuple)) else projections[0]
    d_x = layer.backward(single)
    analytic = {"x": d_x, **{name: grad.copy() for name, grad in layer.grads.items()},
                **{name: getattr(layer, f"d_{name}") for name in inputs}}
    if states is not None:
        analytic.update({f"initial_state[{i}]": g for i, g in enumerate(layer.d_initial_state)})
    targets = {"x": x, **layer.params, **inputs}
    if d_x is None and getattr(layer, "reads_indices", False):   # indices: no gradient
        del targets["x"]
    if states is not None:
        targets.update({f"initial_state[{i}]": s for i, s in enumerate(states)})
    errors = {name: relative_error(analytic[name], numerical_gradient(loss, array, step), name)
              for name, array in targets.items()}
    restore_state()
    return errors


def check_loss(loss, y_true, y_pred, step=1e-3):
    """Max relative error of dL/dy_pred (and of dL/dlogits where the loss has that form).

    ``loss``: a loss object, or its name as ``compile`` takes it (``'mse'``, ...).
    """
    if isinstance(loss, str):                  # an object of the user's is taken as it is
        loss = losses.get(loss)
    y_true, y_pred = _finite_float64(y_true, "y_true"), _finite_float64(y_pred, "y_pred")
    errors = {"y_pred": relative_error(loss.gradient(y_true, y_pred),
                                       numerical_gradient(lambda: loss(y_true, y_pred),
                                                          y_pred, step), "y_pred")}
    if hasattr(loss, "gradient_from_logits"):
        errors["logits"] = relative_error(
            loss.gradient_from_logits(y_true, y_pred),
            numerical_gradient(lambda: loss.from_logits(y_true, y_pred), y_pred, step),
            "the logits")
    return errors


def check_model(model, x, y, step=1e-3, sample_weight=None):
    """Max relative error of dL/d(weight) for every weight of a compiled model on (x, y),
    the loss weighted by ``sample_weight`` when given (as ``fit`` takes it).

    Returns ``{'layer_name/weight_name': e, ...}``.
    """
    model.compute_loss(x, y, sample_weight)   # builds the model and validates the data
    _require_float64(model.layers)
    restore_state = _held_state(model.layers)

    def loss():
        restore_state()
        return model.compute_loss(x, y, sample_weight)

    restore_state()
    _, analytic = model.compute_gradients(x, y, sample_weight)
    errors = {key: relative_error(analytic[key], numerical_gradient(loss, param, step), key)
              for key, param, _ in model.named_parameters()}
    restore_state()
    return errors
