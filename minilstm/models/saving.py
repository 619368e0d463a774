"""Saving and loading models: one ``.npz`` file of arrays plus a JSON description.

The file holds every weight, optionally the optimiser's state, and the model's
configuration as JSON text (stored as a NumPy string array). It is read with
``allow_pickle=False``: loading a model never executes code from the file. It is
written to a temporary file beside the target and renamed over it, so a crash
while saving leaves the previous file (or none), never half of one.

    model.save("model.npz")
    model = minilstm.load_model("model.npz")

``model.save_weights(path)`` writes the weights alone (Keras's ``save_weights``), for a model
that is made again in code and given them with ``model.load_weights(path)``; that reads a
whole model's file too, as Keras's does.
"""
import json
import os
import tempfile
import zipfile

import numpy as np

from .. import layers, losses, metrics, optimizers
from ..checks import flag, require_finite

FORMAT = "minilstm.model"
WEIGHTS_FORMAT = "minilstm.weights"
VERSION = 1
_OPTIMIZERS = {cls.__name__: cls for cls in (optimizers.SGD, optimizers.RMSprop,
                                             optimizers.Adam)}


def _compile_config(model):
    if model.loss is None:
        return None
    return {"loss": model.loss.name, "loss_config": model.loss.get_config(),
            "metrics": list(model.metric_names),
            "optimizer": {"class_name": type(model.optimizer).__name__,
                          "config": model.optimizer.get_config()}}


def _optimizer_arrays(optimizer):
    """The optimiser's state as named arrays, and the JSON index of them."""
    arrays, index = {}, []
    for number, (key, slots) in enumerate(optimizer.state.items()):
        names = {slot: f"optimizer.{number}.{slot}" for slot in slots}
        arrays.update({names[slot]: value for slot, value in slots.items()})
        index.append({"key": key, "slots": names})
    return arrays, {"iterations": optimizer.iterations, "state": index}


def _weight_arrays(model):
    """The weights as the file's arrays, each checked finite: a file of a NaN weight would be
    written, then refused by ``load_model`` (``set_weights`` takes finite weights only). A
    last training step can leave one so: ``fit`` stops at a non-finite loss, which only the
    step after shows."""
    model._require_built("weights to save")
    for layer in model.layers:
        for name, weight in layer.params.items():
            require_finite(weight, f"cannot save model {model.name!r}: weight {name!r} of "
                                   f"layer {layer.name!r}")
    return {f"weight.{index}": weight for index, weight in enumerate(model.get_weights())}


def save_model(model, path, include_optimizer=True):
    """Write ``model`` to ``path`` (see the module docstring)."""
    include_optimizer = flag("include_optimizer", include_optimizer)
    arrays = _weight_arrays(model)
    config = model.get_config()
    _require_known_layers(config)
    description = {"format": FORMAT, "version": VERSION,
                   "class_name": type(model).__name__, "config": config,
                   "frozen": [layer.name for layer in model.layers if not layer.trainable],
                   "compile": _compile_config(model), "optimizer_state": None}
    if include_optimizer and model.optimizer is not None:
        optimizer_arrays, description["optimizer_state"] = _optimizer_arrays(model.optimizer)
        arrays.update(optimizer_arrays)
    arrays["description"] = np.array(json.dumps(description))
    _write_atomically(os.fspath(path), arrays)


def _require_known_layers(config):
    """A ValueError naming a layer class of the user's in a model's ``config``: the file
    would be written, but ``load_model`` could not make the layer again."""
    for description in config.get("layers", []):
        class_name = layers.unknown_class(description)
        if class_name is not None:
            raise ValueError(
                f"layer {description['config']['name']!r} of class {class_name!r} cannot be "
                "saved: load_model makes only minilstm's layers again; keep the weights with "
                "model.save_weights(path), and give them to the model made again in code "
                "with model.load_weights(path)")


def save_weights(model, path):
    """Write ``model``'s weights alone to ``path``, in Keras's order, with each layer's name
    and the shapes of its weights for the reader."""
    arrays = _weight_arrays(model)
    description = {"format": WEIGHTS_FORMAT, "version": VERSION,
                   "layers": [{"name": layer.name,
                               "shapes": [list(weight.shape) for weight in layer.params.values()]}
                              for layer in model.layers]}
    arrays["description"] = np.array(json.dumps(description))
    _write_atomically(os.fspath(path), arrays)


def _stored_weights(arrays):
    """The weights among a file's arrays (``weight.0``, ``weight.1``, ...), in order."""
    return [arrays[f"weight.{index}"]
            for index in range(sum(name.startswith("weight.") for name in arrays))]


def load_weights(model, path):
    """Give ``model`` the weights that ``save_weights`` (or ``save``) wrote to ``path``: all
    are checked, count and shapes, before any is copied (``Model.set_weights``)."""
    model._require_built("weights to load")
    _, arrays = _read(path, (FORMAT, WEIGHTS_FORMAT))
    try:
        model.set_weights(_stored_weights(arrays))
    except (TypeError, ValueError) as error:
        raise type(error)(f"{path} does not fit model {model.name!r}: {error}") from None


def _write_atomically(path, arrays):
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        why = "is not a folder" if os.path.exists(folder) else "does not exist"
        raise FileNotFoundError(f"cannot save the model to {path!r}: its folder {folder!r} "
                                f"{why}")
    if os.path.isdir(path):
        raise IsADirectoryError(f"cannot save the model to {path!r}: it is a folder; name a "
                                f"file in it, e.g. {os.path.join(path, 'model.npz')!r}")
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".minilstm-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            np.savez(stream, **arrays)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise


def _read(path, formats=(FORMAT,)):
    """The description and the arrays of the file at ``path``, one of ``formats``."""
    try:
        # opened here, not by np.load, which leaves its own handle open when the zip is bad
        with open(path, "rb") as stream:
            if not zipfile.is_zipfile(stream):     # np.load would try it as a pickle
                raise ValueError("it is not an .npz archive of arrays, as save writes (a "
                                 "truncated one, a single .npy array or another format)")
            stream.seek(0)
            with np.load(stream, allow_pickle=False) as archive:
                arrays = {name: archive[name] for name in archive.files}
        description = json.loads(str(arrays.pop("description")))
    except FileNotFoundError:
        raise
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError) as error:
        raise ValueError(f"{path} is not a readable minilstm model file: {error}") from None
    if description.get("format") not in formats:
        kinds = " or ".join(kind.split(".")[1] for kind in formats)
        raise ValueError(f"{path} is not a minilstm {kinds} file (format "
                         f"{description.get('format')!r})")
    if description.get("version") != VERSION:
        raise ValueError(f"{path} has model format version {description.get('version')!r}; "
                         f"this minilstm reads version {VERSION}")
    return description, arrays


def load_model(path, compile=True):
    """The model saved at ``path``, with its weights (and, if saved, compiled with its
    optimiser's state, so training resumes where it stopped)."""
    compile = flag("compile", compile)
    from .encoder_decoder import EncoderDecoder      # the model classes this file knows
    from .sequential import Sequential
    description, arrays = _read(path)
    models = {"Sequential": Sequential, "EncoderDecoder": EncoderDecoder}
    if description["class_name"] not in models:
        raise ValueError(f"unknown model class {description['class_name']!r} in {path}")
    model = models[description["class_name"]].from_config(description["config"])
    expected = sum(len(layer.params) for layer in model.layers)     # get_weights' count
    weights = _stored_weights(arrays)
    if len(weights) != expected:
        raise ValueError(f"{path} holds {len(weights)} weight arrays; its model has {expected}")
    model.set_weights(weights)
    for name in description.get("frozen", ()):          # absent from files before freezing
        model.get_layer(name).trainable = False
    compiled = description["compile"]
    if compile and compiled is not None:
        unknown = [name for name in compiled["metrics"] if not metrics.known(name)]
        if unknown:
            raise ValueError(f"{path} was compiled with the metric {unknown[0]!r}, a function "
                             "of its user's that a file cannot hold: load it with "
                             "compile=False, then compile it with that function again")
        if not losses.known(compiled["loss"]):
            raise ValueError(f"{path} was compiled with the loss {compiled['loss']!r}, a Loss "
                             "class of its user's that a file cannot hold: load it with "
                             "compile=False, then compile it with that loss again")
        loss = type(losses.get(compiled["loss"]))(**compiled.get("loss_config", {}))
        optimizer = _OPTIMIZERS[compiled["optimizer"]["class_name"]](
            **compiled["optimizer"]["config"])
        model.compile(optimizer=optimizer, loss=loss, metrics=compiled["metrics"])
        saved_state = description["optimizer_state"]
        if saved_state is not None:
            optimizer.iterations = saved_state["iterations"]
            optimizer.state = {entry["key"]: {slot: arrays[name].copy()
                                              for slot, name in entry["slots"].items()}
                               for entry in saved_state["state"]}
    return model
