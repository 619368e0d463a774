"""Layers: each owns its parameters and calls kernels (protocol in ``base``)."""
from .attention import AttentionDecoder
from .attentive_recurrent import AttentiveLSTM
from .base import Layer
from .bidirectional import Bidirectional
from .dense import Dense
from .dropout import Dropout
from .embedding import Embedding
from .gru import GRU
from .inputs import Input
from .masking import Masking
from .recurrent import LSTM
from .reshaping import RepeatVector
from .simple_rnn import SimpleRNN
from .wrappers import TimeDistributed

_CLASSES = {cls.__name__: cls for cls in (Dense, Dropout, Embedding, GRU, LSTM, Masking,
                                          SimpleRNN,
                                          RepeatVector, TimeDistributed, Bidirectional,
                                          AttentionDecoder, AttentiveLSTM)}
_WRAPPERS = ("TimeDistributed", "Bidirectional")        # each holds one layer's description


def from_config(description):
    """A layer from ``{"class_name": ..., "config": {...}}`` (a wrapper nests one)."""
    class_name, config = description["class_name"], dict(description["config"])
    if class_name not in _CLASSES:
        raise ValueError(f"unknown layer class {class_name!r}; known: {sorted(_CLASSES)}")
    if class_name in _WRAPPERS:
        config["layer"] = from_config(config["layer"])
    return _CLASSES[class_name](**config)


def unknown_class(description):
    """The class name in ``description`` (``from_config``'s form) that ``from_config``
    cannot make, a layer class of the user's, or None when it can make every one."""
    class_name = description["class_name"]
    if class_name not in _CLASSES:
        return class_name
    if class_name in _WRAPPERS:
        return unknown_class(description["config"]["layer"])
    return None


__all__ = ["AttentionDecoder", "AttentiveLSTM", "Bidirectional", "Layer", "Dense", "Dropout",
           "Embedding", "GRU", "Input", "LSTM", "Masking", "RepeatVector", "SimpleRNN",
           "TimeDistributed"]
