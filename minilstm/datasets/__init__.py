"""The tutorials' problems, one module each, generated from a ``numpy.random.Generator``.

    from minilstm.datasets.echo import get_pair, one_hot_decode     # tutorial 1
    from minilstm.datasets import addition                          # tutorial 2
    from minilstm.datasets.damped_sine import generate_examples     # tutorial 3
    from minilstm.datasets import number_words, translation         # tutorial 4
"""
from . import addition, damped_sine, echo, number_words, translation

__all__ = ["addition", "damped_sine", "echo", "number_words", "translation"]
