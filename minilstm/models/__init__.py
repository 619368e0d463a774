"""Models: a chain of layers, and the compile / fit / evaluate / predict loop."""
from .encoder_decoder import EncoderDecoder
from .history import History
from .model import Model, NotCompiledError
from .saving import load_model
from .sequential import Sequential

__all__ = ["EncoderDecoder", "History", "Model", "NotCompiledError", "Sequential", "load_model"]
