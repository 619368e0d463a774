r"""Optimisers with Keras's names, defaults and update rules.

With gradient g, step t = 1, 2, ... and learning rate η::

    SGD       m ← μ m - η g;   θ ← θ + m                (μ = 0: θ ← θ - η g)
              nesterov:        θ ← θ + μ m - η g
    RMSprop   v ← ρ v + (1 - ρ) g²;   θ ← θ - η g / (√v + ε)
              momentum μ > 0:  m ← μ m + η g / (√v + ε);   θ ← θ - m
    Adam      m ← β₁ m + (1 - β₁) g;   v ← β₂ v + (1 - β₂) g²
              θ ← θ - η √(1 - β₂ᵗ) / (1 - β₁ᵗ) · m / (√v + ε)

RMSprop puts ε *outside* the square root, as Keras 2 (the tutorials' Keras) and
PyTorch do. Keras 3 uses g / √(v + ε), whose denominator never falls below
√1e-7 ≈ 3.2e-4: weights with small gradients then barely move, which measurably
hurt the translation tutorial. Adam is Keras's (ε-hat form) in every version.

The updates themselves are kernels (``minilstm/kernels/optimizers.py``): a NumPy
twin and a one-pass Numba twin, chosen by the backend switch.

Each takes ``lr=``, Keras 2's name for ``learning_rate``, as Keras 2 did, so that code of
the tutorials' era (``Adam(lr=0.01)``) runs as written; ``optimizer.lr`` reads and sets it.
And Keras 2's ``decay`` (Keras 3 dropped it for schedules): the rate of step t is then::

    η_t = η / (1 + decay · (t - 1))

A hyperparameter set after construction (``model.optimizer.learning_rate = 1e-4`` between
epochs, as Keras users lower it) is checked as the constructor checks it, and kept as a
Python number: a string would have failed inside the update kernel, a NaN turned every
weight into NaN, a NumPy scalar made ``model.save`` fail (JSON cannot write one).

Gradient clipping, applied before the update as in Keras: ``clipnorm`` rescales
each gradient whose L2 norm exceeds it; ``global_clipnorm`` rescales all of them
together when their joint norm exceeds it; ``clipvalue`` clips each element
to [-clipvalue, clipvalue].
"""
import math
import weakref

import numpy as np

from .checks import flag, fraction, is_real_number, positive_number
from .kernels import optimizers as update_kernels
from .naming import lookup


def _positive_or_none(name, value):
    return None if value is None else positive_number(name, value)


def _non_negative(name, value):
    if not (is_real_number(value) and math.isfinite(value) and value >= 0.0):
        raise ValueError(f"{name} must be a finite number >= 0; got {value!r}")
    return float(value)


class Hyperparameter:
    """An optimiser's hyperparameter, checked by ``check(name, value)`` whenever it is set,
    in ``__init__`` and after (``model.optimizer.learning_rate = 1e-4``), and kept as what
    the check returns, a Python number; ``excludes``: a hyperparameter it cannot be set
    beside. With no ``__get__``, a step reads it from the optimiser's own attributes (about
    15 ns more a read than an attribute no descriptor names, ``timeit``, ad hoc), where a
    ``__setattr__`` checking every store cost the step counter's 0.5 µs a step."""

    def __init__(self, check, excludes=None):
        self.check, self.excludes = check, excludes

    def __set_name__(self, owner, name):
        self.name = name

    def __set__(self, optimizer, value, name=None):
        value = self.check(name or self.name, value)
        if value is not None and optimizer.__dict__.get(self.excludes) is not None:
            pair = " and ".join(sorted((self.name, self.excludes)))
            raise ValueError(f"set at most one of {pair}; got both")
        optimizer.__dict__[self.name] = value


def _hyperparameter_names(cls):
    """The names of ``cls``'s hyperparameters, its base classes' first."""
    return [name for klass in reversed(cls.__mro__) for name, value in vars(klass).items()
            if isinstance(value, Hyperparameter)]


class Optimizer:
    """Base class: clipping, the step counter and per-weight state.

    ``apply(named)`` takes ``(name, param, grad)`` triples, updates each
    ``param`` in place, and keeps its state (moments) under ``name``.
    """

    slot_names = ()
    learning_rate = Hyperparameter(positive_number)
    clipnorm = Hyperparameter(_positive_or_none, excludes="global_clipnorm")
    clipvalue = Hyperparameter(_positive_or_none)
    global_clipnorm = Hyperparameter(_positive_or_none, excludes="clipnorm")
    decay = Hyperparameter(_non_negative)

    def __init__(self, learning_rate, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 lr=None, decay=0.0):
        # lr and decay: Keras 2's, which the tutorials' era wrote (Adam(lr=0.01, decay=1e-6));
        # lr given is the learning rate, as in Keras 2
        self.decay = decay
        if lr is None:
            self.learning_rate = learning_rate
        else:
            self.lr = lr
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.global_clipnorm = global_clipnorm
        self.reset()                              # iterations, state, _flat_moments
        self._owner = None                        # a weak reference to ``owner``

    @property
    def lr(self):
        """Keras 2's name for ``learning_rate``: reads and sets it (errors name ``lr``)."""
        return self.learning_rate

    @lr.setter
    def lr(self, value):
        Optimizer.learning_rate.__set__(self, value, name="lr")

    @property
    def owner(self):
        """The model compiled with this optimiser (``Model.compile`` sets it), or None. Its
        moments are kept by weight name, which two models share (``'lstm/kernel'``), so one
        optimiser serves one model. The reference is weak: it keeps no model alive."""
        return None if self._owner is None else self._owner()

    @owner.setter
    def owner(self, model):
        self._owner = None if model is None else weakref.ref(model)

    def __getstate__(self):
        """A copy (``copy.deepcopy``, ``pickle``) has no owner (a copied model claims its
        copy of the optimiser, ``Model.__setstate__``; a weak reference is no state) and no
        moment arrays laid out for a packing (``_flat_slots`` lays them out again from
        ``state`` when the copied model packs its weights, as ``Model.__getstate__`` asks)."""
        return {**self.__dict__, "_owner": None, "_flat_moments": (None, None, None)}

    def reset(self):
        """Forget the moments and the step count, as a new optimiser has none: ``compile``
        calls it when the optimiser comes to a model from another one, whose weights the
        moments were of (kept by name, ``'lstm/kernel'``, they would start the new model's
        alike-named weights from them, or fail to fit their shapes)."""
        self.iterations = 0
        self.state = {}
        self._flat_moments = (None, None, None)   # (FlatWeights, state it was made for, slots)

    def get_config(self):
        """The constructor arguments: ``type(optimizer)(**config)`` rebuilds it."""
        return {name: getattr(self, name) for name in _hyperparameter_names(type(self))}

    def apply(self, named):
        named = list(named)
        grads = self._clipped([grad for _, _, grad in named])
        self.iterations += 1
        for (name, param, _), grad in zip(named, grads):
            if name not in self.state:
                self.state[name] = {slot: np.zeros_like(param) for slot in self.slot_names}
            self._update(param, grad, self.state[name])

    def apply_flat(self, flat):
        """The same update as ``apply``, on every weight of a model at once: ``flat``
        holds them all in one array (``models.flat_weights.FlatWeights``), and the
        optimiser's moments live in arrays of the same layout, one pass each step.
        ``state`` keeps a per-weight entry (views of those arrays) under each key,
        as ``apply`` does; entries already there (a loaded model's) carry over."""
        grads = flat.grads
        if self.clipnorm is not None or self.global_clipnorm is not None \
                or self.clipvalue is not None:
            grads = np.concatenate([g.reshape(-1) for g in self._clipped(flat.gradient_views())])
        self.iterations += 1
        self._update(flat.params, grads, self._flat_slots(flat))

    def _flat_slots(self, flat):
        """Moment arrays laid out as ``flat.params``; made on first use for ``flat`` and
        again whenever ``state`` was replaced (``load_model`` assigns a new one)."""
        owner, state, slots = self._flat_moments
        if owner is not flat or state is not self.state:
            slots = dict(zip(self.slot_names, flat.state_arrays(len(self.slot_names))))
            for key, start, stop, shape in flat.layout:
                views = {slot: array[start:stop].reshape(shape) for slot, array in slots.items()}
                for slot, previous in self.state.get(key, {}).items():
                    views[slot][...] = previous
                self.state[key] = views
            self._flat_moments = (flat, self.state, slots)
        return slots

    def _clipped(self, grads):
        if self.clipnorm is not None:
            grads = [g * min(1.0, self.clipnorm / max(float(np.linalg.norm(g)), 1e-300))
                     for g in grads]
        elif self.global_clipnorm is not None:
            total = float(np.sqrt(sum(float(np.sum(g * g)) for g in grads)))
            scale = min(1.0, self.global_clipnorm / max(total, 1e-300))
            grads = [g * scale for g in grads]
        if self.clipvalue is not None:
            grads = [np.clip(g, -self.clipvalue, self.clipvalue) for g in grads]
        return grads

    def _rate(self):
        """The learning rate of the step being taken (``iterations`` counts it): with Keras
        2's ``decay``, η / (1 + decay · (t - 1)) at step t, as Keras 2 decayed it."""
        if self.decay == 0.0:
            return self.learning_rate
        return self.learning_rate / (1.0 + self.decay * (self.iterations - 1))

    def _update(self, param, grad, slots):
        raise NotImplementedError

    def __repr__(self):
        return f"{type(self).__name__}(learning_rate={self.learning_rate})"


class SGD(Optimizer):
    slot_names = ("momentum",)
    momentum = Hyperparameter(fraction)
    nesterov = Hyperparameter(flag)

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, **options):
        super().__init__(learning_rate, **options)
        self.momentum = momentum
        self.nesterov = nesterov

    def _update(self, param, grad, slots):
        if self.momentum == 0.0:
            param -= self._rate() * grad
        else:
            update_kernels.sgd_momentum(param, grad, slots["momentum"], self._rate(),
                                        self.momentum, self.nesterov)


class RMSprop(Optimizer):
    slot_names = ("velocity", "momentum")
    rho = Hyperparameter(fraction)
    momentum = Hyperparameter(fraction)
    epsilon = Hyperparameter(positive_number)

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7,
                 **options):
        super().__init__(learning_rate, **options)
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon

    def _update(self, param, grad, slots):
        update_kernels.rmsprop(param, grad, slots["velocity"], slots["momentum"],
                               self._rate(), self.rho, self.momentum, self.epsilon)


class Adam(Optimizer):
    slot_names = ("m", "v")
    beta_1 = Hyperparameter(fraction)
    beta_2 = Hyperparameter(fraction)
    epsilon = Hyperparameter(positive_number)

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 **options):
        super().__init__(learning_rate, **options)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def _update(self, param, grad, slots):
        t = self.iterations
        step_size = (self._rate() * math.sqrt(1.0 - self.beta_2 ** t)
                     / (1.0 - self.beta_1 ** t))
        update_kernels.adam(param, grad, slots["m"], slots["v"], step_size,
                            self.beta_1, self.beta_2, self.epsilon)


_OPTIMIZERS = {"sgd": SGD, "rmsprop": RMSprop, "adam": Adam}


def get(optimizer):
    """An optimiser from its name (``'sgd'``, ``'rmsprop'``, ``'adam'``, Keras
    defaults) or an ``Optimizer`` instance."""
    if isinstance(optimizer, Optimizer):
        return optimizer
    return lookup("optimizer", optimizer, _OPTIMIZERS, also="a minilstm Optimizer")()
