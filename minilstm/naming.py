"""Looking up components by name, with errors that list what exists."""


def lookup(kind, name, table):
    """Return ``table[name]``, or raise a ValueError naming the valid choices."""
    if not isinstance(name, str):
        raise TypeError(f"{kind} must be a string name or an object; got {type(name).__name__}")
    try:
        return table[name.lower()]
    except KeyError:
        valid = ", ".join(repr(key) for key in sorted(table))
        raise ValueError(f"unknown {kind} {name!r}; valid names are: {valid}") from None
