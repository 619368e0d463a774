"""minilstm: recurrent networks in NumPy with hand-written gradients and Numba kernels.

A Keras-shaped API::

    from minilstm import Sequential, LSTM, Dense
    model = Sequential([LSTM(20, return_sequences=True, input_shape=(50, 1)),
                        LSTM(20), Dense(5)])
    model.compile(loss="mae", optimizer="adam")
"""
from . import (activations, callbacks, gradcheck, initializers, kernels, losses, metrics,
               optimizers, utils)
from .kernels import get_backend, set_backend, use_backend
from .layers import (LSTM, AttentionDecoder, AttentiveLSTM, Bidirectional, Dense, Dropout,
                     Embedding, GRU, Input, Layer, Masking, RepeatVector, SimpleRNN,
                     TimeDistributed)
from .models import EncoderDecoder, History, Model, NotCompiledError, Sequential, load_model
from .optimizers import SGD, Adam, RMSprop
from .seeding import set_seed

__version__ = "0.1.0"

__all__ = [
    "LSTM", "Adam", "AttentionDecoder", "AttentiveLSTM", "Bidirectional", "Dense", "Dropout",
    "Embedding",
    "EncoderDecoder", "GRU", "History",
    "Input", "Layer", "Masking", "Model", "NotCompiledError", "RMSprop", "RepeatVector", "SGD",
    "Sequential", "SimpleRNN",
    "TimeDistributed", "activations", "callbacks", "get_backend", "gradcheck", "initializers",
    "kernels", "load_model", "losses", "metrics", "optimizers", "set_backend", "set_seed",
    "use_backend", "utils",
]
