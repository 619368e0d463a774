"""Ending training at a loss that is NaN or infinite, without an error (Keras's
TerminateOnNaN)."""
import math

from .base import Callback


class TerminateOnNaN(Callback):
    """Stop ``fit`` after the batch whose loss is NaN or infinite, printing ``Batch N:
    Invalid loss, terminating training``, as Keras's does: ``fit`` then returns its
    ``History`` (that epoch's loss NaN or inf) instead of raising its FloatingPointError.
    That batch's update is not applied, so the weights stay those of the batch before.

        model.fit(x, y, callbacks=[TerminateOnNaN()])
    """

    acts_per_batch = True
    takes_non_finite_loss = True       # fit hands such a loss to it rather than raising

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True
