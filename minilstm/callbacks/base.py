"""The callback protocol, Keras's: the hooks ``fit`` calls, and the list that calls them.

``fit`` calls, in this order::

    on_train_begin(logs=None)
    for each epoch:      on_epoch_begin(epoch, logs=None)
        for each batch:  on_train_batch_begin(batch, logs=None)
                         (one training step)
                         on_train_batch_end(batch, logs)     running means of this epoch
                         (stop here if a hook set model.stop_training)
        (validation; the epoch's line of the progress bar)
                         on_epoch_end(epoch, logs)           loss, metrics, val_*
        (stop here if a hook set model.stop_training)
    on_train_end(logs)                                       the last epoch's logs

``evaluate(callbacks=...)`` calls ``on_test_begin``, ``on_test_batch_begin`` /
``on_test_batch_end(batch, logs)`` (running means) and ``on_test_end(logs)``, and so does
``fit``'s validation pass at each epoch's end, on ``fit``'s callbacks, as Keras's does;
``predict(callbacks=...)`` calls ``on_predict_begin``, ``on_predict_batch_begin`` /
``on_predict_batch_end(batch, {"outputs": ...})`` and ``on_predict_end``.

``epoch`` counts from 0 (from ``fit``'s ``initial_epoch``), ``batch`` from 0 in each epoch.
A hook may add entries to ``logs`` at the end of an epoch, which the callbacks after it
and the ``History`` see. ``fit`` calls the batch hooks only when some callback acts per
batch (``acts_per_batch``, where a callback says so itself, else a batch hook of its
own). ``on_batch_begin`` / ``on_batch_end`` are Keras 2's names of the batch hooks, still
called by Keras's base class, and by this one.
"""
from ..naming import is_function


class Callback:
    """The base of every callback: each hook does nothing until a subclass writes it.

    ``self.model`` is the model being trained, ``self.params`` what ``fit`` was asked to do:
    ``verbose``, ``epochs``, ``steps`` (batches per epoch), ``batch_size``, ``samples`` and
    ``metrics``, the names the logs will hold (``['loss', 'acc', 'val_loss', 'val_acc']``);
    in ``evaluate`` and ``predict``, ``verbose`` and ``steps``.
    """

    def __init__(self):
        self.model = None
        self.params = {}

    def set_model(self, model):
        self.model = model

    def set_params(self, params):
        self.params = params

    def on_train_begin(self, logs=None):
        pass

    def on_train_end(self, logs=None):
        pass

    def on_epoch_begin(self, epoch, logs=None):
        pass

    def on_epoch_end(self, epoch, logs=None):
        pass

    def on_train_batch_begin(self, batch, logs=None):
        self.on_batch_begin(batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        self.on_batch_end(batch, logs)

    def on_batch_begin(self, batch, logs=None):
        pass

    def on_batch_end(self, batch, logs=None):
        pass

    def on_test_begin(self, logs=None):
        pass

    def on_test_end(self, logs=None):
        pass

    def on_test_batch_begin(self, batch, logs=None):
        pass

    def on_test_batch_end(self, batch, logs=None):
        pass

    def on_predict_begin(self, logs=None):
        pass

    def on_predict_end(self, logs=None):
        pass

    def on_predict_batch_begin(self, batch, logs=None):
        pass

    def on_predict_batch_end(self, batch, logs=None):
        pass


_BATCH_HOOKS = {"train": ("on_train_batch_begin", "on_train_batch_end", "on_batch_begin",
                          "on_batch_end"),
                "test": ("on_test_batch_begin", "on_test_batch_end"),
                "predict": ("on_predict_batch_begin", "on_predict_batch_end")}


def _has_batch_hooks(callback, mode="train"):
    """Whether ``callback`` does anything per batch of ``mode`` (``'train'``, ``'test'``,
    ``'predict'``): for training, what its ``acts_per_batch`` says where it has one (a
    ModelCheckpoint saving per epoch has batch hooks that do nothing); else whether one of
    the mode's batch hooks is not the base class's (a subclass's method, or a function set
    on the object, as LambdaCallback's)."""
    declared = getattr(callback, "acts_per_batch", None) if mode == "train" else None
    if declared is not None:
        return declared
    return any(getattr(getattr(callback, hook), "__func__", None) is not getattr(Callback, hook)
               for hook in _BATCH_HOOKS[mode])


class LambdaCallback(Callback):
    """A callback of functions given by hook, as Keras's: ``on_epoch_begin(epoch, logs)``,
    ``on_epoch_end(epoch, logs)``, ``on_batch_begin(batch, logs)``, ``on_batch_end(batch,
    logs)``, ``on_train_begin(logs)``, ``on_train_end(logs)``; a hook not given does nothing.

        LambdaCallback(on_epoch_end=lambda epoch, logs: print(epoch, logs["loss"]))
    """

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_batch_begin=None,
                 on_batch_end=None, on_train_begin=None, on_train_end=None):
        super().__init__()
        hooks = {"on_epoch_begin": on_epoch_begin, "on_epoch_end": on_epoch_end,
                 "on_batch_begin": on_batch_begin, "on_batch_end": on_batch_end,
                 "on_train_begin": on_train_begin, "on_train_end": on_train_end}
        for hook, function in hooks.items():
            if function is None:
                continue
            if not is_function(function):
                raise ValueError(f"LambdaCallback's {hook} must be a function; got "
                                 f"{type(function).__name__} {function!r:.60}")
            setattr(self, hook, function)


class CallbackList:
    """``fit``'s callbacks, each given the model and the run's ``params``; ``call(hook,
    *args)`` calls one hook on each, in the order given. ``batch_hooks``: whether any does
    something per batch, so that a run without such hooks pays nothing per step.
    ``CallbackList.of`` gives one shared empty list for a run without callbacks (the echo
    tutorial calls ``fit`` once a sample). ``takes_non_finite_loss``: whether one of them
    takes a loss that is NaN or infinite (``TerminateOnNaN``), which ``fit`` then hands to
    it rather than raising."""

    @classmethod
    def of(cls, callbacks, model, params):
        return _NO_CALLBACKS if callbacks is None else cls(callbacks, model, params)

    def __init__(self, callbacks, model, params):
        self.callbacks = checked_callbacks(callbacks)
        for callback in self.callbacks:
            callback.set_model(model)
            callback.set_params(params)
        self.batch_hooks = any(_has_batch_hooks(callback) for callback in self.callbacks)
        self.takes_non_finite_loss = any(getattr(callback, "takes_non_finite_loss", False)
                                         for callback in self.callbacks)
        self.test_batch_hooks, self.predict_batch_hooks = (
            any(_has_batch_hooks(callback, mode) for callback in self.callbacks)
            for mode in ("test", "predict"))

    def call(self, hook, *args):
        for callback in self.callbacks:
            getattr(callback, hook)(*args)


def checked_callbacks(callbacks):
    """``callbacks`` as a list of ``Callback`` objects (None: none); a ValueError names
    anything else: a callback not in a list, or an object of another library's (Keras's
    callbacks call Keras's model API)."""
    if callbacks is None:
        return []
    if isinstance(callbacks, Callback):
        raise ValueError(f"callbacks must be a list, e.g. callbacks=[{type(callbacks).__name__}"
                         "(...)]; got one callback alone")
    if not isinstance(callbacks, (list, tuple)):
        raise ValueError(f"callbacks must be a list of minilstm.callbacks.Callback objects; got "
                         f"{type(callbacks).__name__} {callbacks!r:.60}")
    for callback in callbacks:
        if not isinstance(callback, Callback):
            raise ValueError(f"callbacks must be minilstm.callbacks.Callback objects (a class of "
                             f"your own derives from it); got {type(callback).__module__}."
                             f"{type(callback).__name__}")
    return list(callbacks)


_NO_CALLBACKS = CallbackList([], None, {})
