"""Looking up components by name, with errors that list what exists."""
import re


def snake_case(name):
    """``'AttentionDecoder'`` -> ``'attention_decoder'``: Keras's default names of objects."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


class CalledOnArrays:
    """The base of layers and models, which are called on arrays as Keras's are
    (``layer(x)``, ``model(x)``): callable, yet no function of the user's (``is_function``)."""


def is_function(value):
    """Whether ``value`` is a function of the user's, which a metric or an initialiser may
    be: callable, and not a layer or a model (a layer taken as a metric logged its output)."""
    return callable(value) and not isinstance(value, CalledOnArrays)


def lookup(kind, name, table, also=None):
    """Return ``table[name]``, or raise an error naming the valid choices; ``also`` says
    what else the caller takes (an object of its kind), for the error's text."""
    if not isinstance(name, str):
        others = f", or {also}" if also else ""
        raise TypeError(f"{kind} must be one of the names {_names(table)}{others}; "
                        f"got {type(name).__name__}")
    try:
        return table[name.lower()]
    except KeyError:
        raise ValueError(f"unknown {kind} {name!r}; valid names are: {_names(table)}") from None


def _names(table):
    return ", ".join(repr(key) for key in sorted(table))
