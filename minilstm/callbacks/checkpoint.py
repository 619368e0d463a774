"""Saving the model while it trains (Keras's ModelCheckpoint)."""
import os

from ..checks import finite_number, flag, is_int_at_least
from .base import Callback
from .monitoring import Monitor


class ModelCheckpoint(Callback):
    """Save the model (``model.save``) or its weights alone (``save_weights_only``:
    ``model.save_weights``) at the end of each epoch, or every ``save_freq`` batches.

    ``filepath`` may name the epoch (counted from 1), and at a batch the batch (from 1), and
    any logged value: ``"model-{epoch:02d}-{val_loss:.3f}.npz"``; a name the run does not
    log is refused before training starts. Its folder is made if missing.
    ``save_best_only``: save only when ``monitor`` improves on the best value so far (on
    ``initial_value_threshold`` when given), in the direction ``mode`` says (see
    ``callbacks.monitoring``). Saved every ``save_freq`` batches, the logs are the epoch's
    running means, which hold no val_ values.

        ModelCheckpoint("best.npz", monitor="val_loss", save_best_only=True)

    Files are minilstm's ``.npz`` (Keras 3 asks for its ``.keras`` suffix; no suffix is
    asked for here).
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto", save_freq="epoch",
                 initial_value_threshold=None):
        super().__init__()
        if not isinstance(filepath, (str, os.PathLike)) or not os.fspath(filepath):
            raise ValueError(f"ModelCheckpoint's filepath must be a path; got {filepath!r}")
        self.filepath = os.fspath(filepath)
        self.monitor = Monitor("ModelCheckpoint", monitor, mode)
        self.verbose = flag("verbose", verbose)
        self.save_best_only = flag("save_best_only", save_best_only)
        self.save_weights_only = flag("save_weights_only", save_weights_only)
        if save_freq != "epoch" and not is_int_at_least(save_freq, 1):
            raise ValueError(f"ModelCheckpoint's save_freq must be 'epoch' or a number of "
                             f"batches (an integer >= 1); got {save_freq!r}")
        self.save_freq = save_freq
        self.initial_value_threshold = None if initial_value_threshold is None else \
            finite_number("initial_value_threshold", initial_value_threshold)
        self.best, self._epoch, self._batches_since_save = None, 0, 0

    @property
    def acts_per_batch(self):
        return self.save_freq != "epoch"

    def on_train_begin(self, logs=None):
        logged = list(self.params["metrics"])
        per_batch = self.save_freq != "epoch"
        if per_batch:               # saved between epochs, from running means alone
            logged = [name for name in logged if not name.startswith("val_")]
            if self.save_best_only and self.monitor.name.startswith("val_"):
                raise ValueError(
                    f"saving every {self.save_freq} batches, ModelCheckpoint reads the epoch's "
                    f"running means, which hold no val_ values: monitor one of "
                    f"{', '.join(map(repr, logged))}, or save with save_freq='epoch'")
        if self.save_best_only:
            self.monitor.start(logged)
        self._check_filepath(logged, per_batch)
        self.best = self.initial_value_threshold
        if self.best is None and self.save_best_only:
            self.best = self.monitor.worst
        self._batches_since_save = 0

    def _check_filepath(self, logged, per_batch):
        """A ValueError, before training, when ``filepath`` names a value the run will not
        log, or formats one in a way it cannot be (Keras finds either when it first saves,
        after an epoch's work): the path is formatted once with stand-in values."""
        example = {**dict.fromkeys(logged, 0.0), "epoch": 1}
        if per_batch:
            example["batch"] = 1
        try:
            self.filepath.format(**example)
        except KeyError as error:
            raise ValueError(
                f"ModelCheckpoint's filepath {self.filepath!r} names {{{error.args[0]}}}, "
                f"which this fit does not log: it can name "
                f"{', '.join(map(repr, example))}") from None
        except (ValueError, IndexError) as error:
            raise ValueError(f"ModelCheckpoint's filepath {self.filepath!r} cannot be "
                             f"formatted with the logged values: {error}") from None

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        self._batches_since_save += 1
        if self._batches_since_save >= self.save_freq:
            self._batches_since_save = 0
            self._save(self.filepath.format(**logs, epoch=self._epoch + 1, batch=batch + 1),
                       logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save(self.filepath.format(**logs, epoch=epoch + 1), logs)

    def _save(self, path, logs):
        where = f"Epoch {self._epoch + 1}"
        if self.save_best_only:
            current, name = logs[self.monitor.name], self.monitor.name
            if not self.monitor.improves(current, self.best):
                if self.verbose:
                    print(f"{where}: {name} did not improve from {self.best:.5f}")
                return
            if self.verbose:
                print(f"{where}: {name} improved from {self.best:.5f} to {current:.5f}, "
                      f"saving model to {path}")
            self.best = current
        elif self.verbose:
            print(f"{where}: saving model to {path}")
        folder = os.path.dirname(path)
        if folder:
            os.makedirs(folder, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(path)
        else:
            self.model.save(path)
