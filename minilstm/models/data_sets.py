"""``fit``, ``evaluate`` and ``predict``: a model's whole data sets, batch by batch and epoch
by epoch, around ``Model``'s one-batch steps (``_train_step``, ``_batch_loss``, ``_logs``).

``DataSetMethods`` is a base of ``Model``, which supplies those steps and the checks of the
data (``_checked_data``, ``_sample_weights``, ``_prediction_inputs``); kept apart so that
each file reads at one level: the loop over a data set here, one batch in ``model``.
"""
import math

import numpy as np

from ..callbacks.base import CallbackList
from ..checks import flag, is_int_at_least
from . import data
from .batch_means import BatchMeans
from .history import History
from .progress import ProgressBar, checked_verbose


class DataSetMethods:
    """``fit`` / ``evaluate`` / ``predict`` of a ``Model``."""

    def fit(self, x, y=None, batch_size=None, epochs=1, verbose=1, *, callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0):
        """Train until epoch ``epochs`` over (x, y); returns a ``History``.

        ``validation_split`` holds out the last fraction of the samples (before
        shuffling, as Keras); ``validation_data=(x_val, y_val)`` gives them
        explicitly. ``shuffle``: the samples in a new order each epoch (``True``), in
        order (``False``), or whole batches in a new order (``'batch'``; see
        ``data.epoch_batches``). ``initial_epoch``: the epochs already trained, to
        resume a run as Keras does; epochs ``initial_epoch + 1`` to ``epochs`` are run
        (none when ``initial_epoch >= epochs``), and ``History.epoch`` counts from it.
        ``sample_weight``: a weight per sample ``(n,)``, or per step of a sequence output
        ``(n, T)``; ``class_weight``: a dict of a weight per class (of the targets' argmax,
        class index, or 0/1 for one output); the loss is weighted by their product, Keras's
        way (``losses.weighted``), the metrics not. ``validation_data`` may hold a third
        array, the validation samples' weights, as in Keras.
        ``callbacks``: a list of ``minilstm.callbacks.Callback`` objects, whose hooks run at
        the start and end of training, of each epoch and of each batch (the order is in
        ``callbacks.base``); one that sets ``model.stop_training = True`` ends the run
        after that batch or epoch.
        Training stops with a FloatingPointError naming the epoch and batch if the loss
        becomes NaN or infinite (with a ``TerminateOnNaN`` among the callbacks, it stops
        after that batch instead, whose update is not applied, and returns); ``model.history``,
        as in Keras, is this call's ``History`` from its start, so it then holds the epochs
        completed.
        """
        self._require_compiled("fit")
        verbose = checked_verbose(verbose)
        batch_size = data.check_batch_size(batch_size)
        if not is_int_at_least(epochs, 1):
            raise ValueError(f"epochs must be an integer >= 1; got {epochs!r}")
        if not is_int_at_least(initial_epoch, 0):
            raise ValueError(f"initial_epoch must be an integer >= 0; got {initial_epoch!r}")
        shuffle = data.check_shuffle(shuffle)
        xs, y, weights, validation = self._training_data(
            x, y, validation_split, validation_data, sample_weight, class_weight)
        n_samples = y.shape[0]
        history = self._history_of_run(verbose, epochs, batch_size, n_samples,
                                       validation is not None)
        callbacks = CallbackList.of(callbacks, self, history.params)
        self.history = history          # Keras's model.history, filled epoch by epoch
        self.stop_training, logs = False, None
        callbacks.call("on_train_begin", None)
        for epoch in range(initial_epoch, epochs):
            callbacks.call("on_epoch_begin", epoch, None)
            if verbose:
                print(f"Epoch {epoch + 1}/{epochs}")
            index_batches = data.epoch_batches(n_samples, batch_size, shuffle, self.rng)
            progress = ProgressBar(len(index_batches), verbose)
            logs = self._run_epoch(xs, y, weights, index_batches, epoch, progress,
                                   callbacks if callbacks.batch_hooks else None)
            if validation is not None:
                xs_val, y_val, val_weights = validation
                val_logs = self._evaluate_arrays(xs_val, y_val, batch_size, val_weights,
                                                 callbacks)
                logs.update({f"val_{name}": value for name, value in val_logs.items()})
            if verbose:
                progress.finish(logs)
            callbacks.call("on_epoch_end", epoch, logs)
            history.record(epoch, logs)
            if self.stop_training:
                break
        callbacks.call("on_train_end", logs)
        return history

    def _history_of_run(self, verbose, epochs, batch_size, n_samples, validated):
        """A new ``History`` whose ``params`` are Keras's ``verbose``, ``epochs`` and
        ``steps``, and ``batch_size``, ``samples`` and Keras 2's ``metrics``, the names the
        logs will hold (with ``val_`` ones when ``validated``)."""
        logged = self.metrics_names
        if validated:
            logged += [f"val_{name}" for name in logged]
        return History({"verbose": verbose, "epochs": epochs,
                        "steps": math.ceil(n_samples / batch_size), "batch_size": batch_size,
                        "samples": n_samples, "metrics": logged})

    def _training_data(self, x, y, validation_split, validation_data, sample_weight,
                       class_weight):
        """The checked training arrays, their weights (or None) and the validation triple
        ``(xs, y, weights)`` (or None): given as ``validation_data``, or the last
        ``validation_split`` of the samples."""
        xs, y = self._checked_data(x, y)
        weights = self._sample_weights(y, sample_weight, class_weight)
        if validation_data is not None:
            if not isinstance(validation_data, (list, tuple)) or len(validation_data) not in (
                    2, 3):
                raise ValueError("validation_data must be (x_val, y_val), or (x_val, y_val, "
                                 "val_sample_weight)")
            xs_val, y_val = self._checked_data(*validation_data[:2])
            val_weights = self._sample_weights(y_val, *validation_data[2:])
            return xs, y, weights, (xs_val, y_val, val_weights)
        if validation_split:
            xs, y, weights, *validation = data.split_validation(xs, y, weights,
                                                                validation_split)
            return xs, y, weights, validation
        return xs, y, weights, None

    def _run_epoch(self, xs, y, weights, index_batches, epoch, progress, callbacks):
        """One epoch's steps, weighted by ``weights`` when given; ``callbacks``: the
        CallbackList when one of them has batch hooks, else None (no per-step cost)."""
        means, flat = BatchMeans(), self._flat_weights()
        arrays = xs + [y] if weights is None else xs + [y, weights]
        inputs = len(xs)
        for number, index in enumerate(index_batches, start=1):
            if callbacks is not None:
                callbacks.call("on_train_batch_begin", number - 1, None)
            batch = data.take(arrays, index)
            y_batch = batch[inputs]
            loss, output = self._train_step(batch[:inputs], y_batch, flat,
                                            None if weights is None else batch[-1])
            if not math.isfinite(loss) and (callbacks is None
                                            or not callbacks.takes_non_finite_loss):
                raise FloatingPointError(
                    f"the loss became {loss} at epoch {epoch + 1}, batch {number}: lower the "
                    "learning rate, clip the gradients (clipnorm=...) or check the data")
            size = y_batch.shape[0]
            means.add(self._logs(loss, output, y_batch), size, self._metric_samples(size))
            running = means.means()
            progress.update(number, running)
            if callbacks is not None:
                callbacks.call("on_train_batch_end", number - 1, running)
                if self.stop_training:
                    break
        return means.means()

    def _evaluate_arrays(self, xs, y, batch_size, weights=None, callbacks=None):
        """The loss and metrics over (xs, y), batch-size-weighted means of the batches';
        ``callbacks`` get the test hooks (``callbacks.base``)."""
        callbacks = callbacks or CallbackList.of(None, self, {})
        hooks = callbacks.test_batch_hooks
        means = BatchMeans()
        callbacks.call("on_test_begin", None)
        for number, index in enumerate(data.batches(y.shape[0], batch_size)):
            if hooks:
                callbacks.call("on_test_batch_begin", number, None)
            output = self._forward(data.take(xs, index), training=False)
            y_batch = y[index]
            batch_weights = None if weights is None else weights[index]
            logs = self._logs(self._batch_loss(output, y_batch, batch_weights), output,
                              y_batch)
            size = y_batch.shape[0]
            means.add(logs, size, self._metric_samples(size))
            if hooks:
                callbacks.call("on_test_batch_end", number, means.means())
        logs = means.means()
        callbacks.call("on_test_end", logs)
        return logs

    def evaluate(self, x, y=None, batch_size=None, verbose=1, sample_weight=None,
                 callbacks=None, return_dict=False):
        """The loss (and metrics) over (x, y): a float, or a list ``[loss, metric, ...]``;
        the loss weighted by ``sample_weight`` as in ``fit``; ``callbacks`` get the test
        hooks."""
        self._require_compiled("evaluate")
        verbose, return_dict = checked_verbose(verbose), flag("return_dict", return_dict)
        batch_size = data.check_batch_size(batch_size)
        xs, y = self._checked_data(x, y)
        weights = self._sample_weights(y, sample_weight)
        steps = len(data.batches(y.shape[0], batch_size))
        callbacks = CallbackList.of(callbacks, self, {"verbose": verbose, "steps": steps})
        progress = ProgressBar(steps, verbose)
        logs = self._evaluate_arrays(xs, y, batch_size, weights, callbacks)
        progress.finish(logs)
        return self._as_result(logs, return_dict)

    def predict(self, x, batch_size=None, verbose=0, callbacks=None):
        """The model's output for ``x``, computed ``batch_size`` samples at a time;
        ``callbacks`` get the predict hooks (``callbacks.base``)."""
        verbose = checked_verbose(verbose)
        batch_size = data.check_batch_size(batch_size)
        xs = self._prediction_inputs(x)
        index_batches = data.batches(xs[0].shape[0], batch_size)
        callbacks = CallbackList.of(callbacks, self, {"verbose": verbose,
                                                      "steps": len(index_batches)})
        progress = ProgressBar(len(index_batches), verbose)
        callbacks.call("on_predict_begin", None)
        outputs = []
        for number, index in enumerate(index_batches):
            if callbacks.predict_batch_hooks:
                callbacks.call("on_predict_batch_begin", number, None)
            outputs.append(self._forward(data.take(xs, index), training=False))
            if callbacks.predict_batch_hooks:
                callbacks.call("on_predict_batch_end", number, {"outputs": outputs[-1]})
        callbacks.call("on_predict_end", None)
        progress.finish({})
        return np.concatenate(outputs, axis=0)
