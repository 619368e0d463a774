"""Layers: each owns its parameters and calls kernels (protocol in ``base``)."""
from .attention import AttentionDecoder
from .attentive_recurrent import AttentiveLSTM
from .base import Layer
from .dense import Dense
from .recurrent import LSTM
from .reshaping import RepeatVector
from .wrappers import TimeDistributed

__all__ = ["AttentionDecoder", "AttentiveLSTM", "Layer", "Dense", "LSTM", "RepeatVector", "TimeDistributed"]
