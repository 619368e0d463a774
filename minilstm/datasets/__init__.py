"""The tutorials' problems, generated from a ``numpy.random.Generator``."""
from .damped_sine import generate_examples, generate_sequence

__all__ = ["generate_examples", "generate_sequence"]
