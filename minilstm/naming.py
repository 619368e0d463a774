"""Looking up components by name, with errors that list what exists."""


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
