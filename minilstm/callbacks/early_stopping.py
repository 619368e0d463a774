"""Stopping ``fit`` once a logged value stops improving (Keras's EarlyStopping)."""
from ..checks import finite_number, flag, is_int_at_least
from .base import Callback
from .monitoring import Monitor


class EarlyStopping(Callback):
    """Stop training when ``monitor`` has not improved for ``patience`` epochs.

    Keras 3's rule, epoch by epoch (from ``start_from_epoch`` on): a value that improves on
    the best so far by more than ``min_delta`` becomes the best, and resets the count of
    epochs waited if it also improves on ``baseline`` (when one is given); otherwise, once
    ``patience`` epochs have passed since the last reset, training stops (never after the
    first epoch). ``restore_best_weights``: at the end of training, stopped early or not,
    the model gets the weights of the end of the best epoch (of the first monitored epoch
    when none improved). Each ``fit`` starts afresh, its best value included (as Keras does
    since keras-team/keras#20521).

        EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True)

    ``stopped_epoch``: the epoch training stopped after (0 when it ran to the end);
    ``best_epoch``: the best epoch's number.
    """

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False, start_from_epoch=0):
        super().__init__()
        self.monitor = Monitor("EarlyStopping", monitor, mode, min_delta)
        if not is_int_at_least(patience, 0):
            raise ValueError(f"EarlyStopping's patience must be an integer >= 0; got "
                             f"{patience!r}")
        if not is_int_at_least(start_from_epoch, 0):
            raise ValueError(f"EarlyStopping's start_from_epoch must be an integer >= 0; got "
                             f"{start_from_epoch!r}")
        self.patience, self.start_from_epoch = int(patience), int(start_from_epoch)
        self.verbose = flag("verbose", verbose)
        self.baseline = None if baseline is None else finite_number("baseline", baseline)
        self.restore_best_weights = flag("restore_best_weights", restore_best_weights)
        self._reset()

    def _reset(self):
        self.wait, self.stopped_epoch, self.best_epoch = 0, 0, 0
        self.best, self.best_weights = None, None

    def on_train_begin(self, logs=None):
        self.monitor.start(self.params["metrics"])
        self._reset()
        self.best = self.monitor.worst

    def on_epoch_end(self, epoch, logs=None):
        if epoch < self.start_from_epoch:
            return
        current = logs[self.monitor.name]
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights, self.best_epoch = self.model.get_weights(), epoch
        self.wait += 1
        if self.monitor.improves(current, self.best):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self.monitor.improves(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose:
                print(f"Restoring model weights from the end of the best epoch: "
                      f"{self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)
