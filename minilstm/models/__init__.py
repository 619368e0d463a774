"""Models: a chain of layers, and the compile / fit / evaluate / predict loop."""
from .history import History
from .model import Model, NotCompiledError
from .saving import load_model
from .sequential import Sequential

__all__ = ["History", "Model", "NotCompiledError", "Sequential", "load_model"]
