"""Changing the optimiser's learning rate between epochs (Keras's LearningRateScheduler and
ReduceLROnPlateau). Both log the rate an epoch trained with as ``learning_rate``, as Keras 3
does.

The rate is set as ``model.optimizer.learning_rate = rate``, which checks it (a positive
finite number). With Keras 2's ``decay`` the optimiser still divides the rate it is given
by ``1 + decay (t - 1)``, as Keras 2 did.
"""
import inspect
import math

from ..checks import finite_number, flag, is_int_at_least, is_real_number
from ..naming import is_function
from .base import Callback
from .monitoring import Monitor


def _takes_two_arguments(function):
    """Whether ``schedule`` takes ``(epoch, lr)``, or ``(epoch)`` alone (Keras 2's form)."""
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):          # a builtin without a signature: try both
        return True
    try:
        signature.bind(0, 0.001)
    except TypeError:
        return False
    return True


class LearningRateScheduler(Callback):
    """At the start of each epoch, set the rate to ``schedule(epoch, lr)`` (``epoch`` from
    0, ``lr`` the current rate), or to ``schedule(epoch)`` for a function of one argument.

        LearningRateScheduler(lambda epoch, lr: lr if epoch < 10 else lr * 0.9)
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        if not is_function(schedule):
            raise ValueError(f"LearningRateScheduler's schedule must be a function (epoch, lr) "
                             f"-> lr; got {type(schedule).__name__} {schedule!r:.60}")
        self.schedule, self.verbose = schedule, flag("verbose", verbose)
        self._two_arguments = _takes_two_arguments(schedule)
        self._rate = None

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = self.model.optimizer
        rate = (self.schedule(epoch, optimizer.learning_rate) if self._two_arguments
                else self.schedule(epoch))
        if not is_real_number(rate) or not math.isfinite(rate) or rate <= 0:
            raise ValueError(f"the learning-rate schedule returned {rate!r} for epoch "
                             f"{epoch + 1}; a learning rate is a positive finite number")
        optimizer.learning_rate = rate
        self._rate = optimizer.learning_rate           # as the optimiser keeps it: a float
        if self.verbose:
            print(f"Epoch {epoch + 1}: LearningRateScheduler setting learning rate to "
                  f"{optimizer.learning_rate}.")

    def on_epoch_end(self, epoch, logs=None):
        logs["learning_rate"] = self._rate        # the epoch's, whatever changed it since


class ReduceLROnPlateau(Callback):
    """Multiply the rate by ``factor`` when ``monitor`` has not improved by more than
    ``min_delta`` for ``patience`` epochs, never below ``min_lr``; then wait ``cooldown``
    epochs before counting again (Keras's rule, epoch by epoch).

        ReduceLROnPlateau(monitor="val_loss", factor=0.2, patience=5, min_lr=1e-5)
    """

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0.0):
        super().__init__()
        self.monitor = Monitor("ReduceLROnPlateau", monitor, mode, min_delta)
        factor = finite_number("ReduceLROnPlateau's factor", factor)
        if not 0.0 < factor < 1.0:
            raise ValueError(f"ReduceLROnPlateau's factor must be in (0, 1), the rate being "
                             f"multiplied by it; got {factor!r}")
        for name, value in (("patience", patience), ("cooldown", cooldown)):
            if not is_int_at_least(value, 0):
                raise ValueError(f"ReduceLROnPlateau's {name} must be an integer >= 0; got "
                                 f"{value!r}")
        self.min_lr = finite_number("ReduceLROnPlateau's min_lr", min_lr)
        if self.min_lr < 0:
            raise ValueError(f"ReduceLROnPlateau's min_lr must be >= 0; got {min_lr!r}")
        self.factor, self.patience, self.cooldown = factor, int(patience), int(cooldown)
        self.verbose = flag("verbose", verbose)
        self.wait, self.cooldown_counter, self.best = 0, 0, None

    def on_train_begin(self, logs=None):
        self.monitor.start(self.params["metrics"])
        self.wait, self.cooldown_counter, self.best = 0, 0, self.monitor.worst

    def on_epoch_end(self, epoch, logs=None):
        optimizer = self.model.optimizer
        logs["learning_rate"] = optimizer.learning_rate
        current = logs[self.monitor.name]
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self.monitor.improves(current, self.best):
            self.best, self.wait = current, 0
            return
        if self.cooldown_counter > 0:
            return
        self.wait += 1
        if self.wait >= self.patience and optimizer.learning_rate > self.min_lr:
            optimizer.learning_rate = max(optimizer.learning_rate * self.factor, self.min_lr)
            if self.verbose:
                print(f"Epoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to "
                      f"{optimizer.learning_rate}.")
            self.cooldown_counter, self.wait = self.cooldown, 0
