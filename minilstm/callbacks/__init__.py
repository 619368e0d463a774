"""Callbacks: code run by ``fit`` at the start and end of training, of each epoch and of
each batch, as Keras's are (``model.fit(..., callbacks=[EarlyStopping(patience=3)])``).

``Callback`` is the base class of your own (its hooks: ``callbacks.base``);
``LambdaCallback`` takes functions by hook. ``EarlyStopping``, ``ModelCheckpoint``,
``LearningRateScheduler``, ``ReduceLROnPlateau``, ``CSVLogger`` and ``TerminateOnNaN`` are
Keras's, with its arguments and defaults.
"""
from .base import Callback, LambdaCallback
from .checkpoint import ModelCheckpoint
from .csv_logger import CSVLogger
from .early_stopping import EarlyStopping
from .learning_rate import LearningRateScheduler, ReduceLROnPlateau
from .terminate_on_nan import TerminateOnNaN

__all__ = ["CSVLogger", "Callback", "EarlyStopping", "LambdaCallback", "LearningRateScheduler",
           "ModelCheckpoint", "ReduceLROnPlateau", "TerminateOnNaN"]
