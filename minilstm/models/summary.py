"""``model.summary()``: Keras's table of layers, output shapes and parameter counts."""
from ..checks import positive_int
from ..layers.base import describe_shape

LINE_LENGTH = 65                    # Keras 2's for a Sequential model


def _shape_text(shape):
    """A layer's output shape as Keras 2 prints it: ``(None, 20)``, or a list of shapes in
    brackets for a layer of several outputs (an LSTM with ``return_state``)."""
    if isinstance(shape, list):
        return "[" + ", ".join(describe_shape(s) for s in shape) + "]"
    return describe_shape(shape)


def _column_stops(rows, line_length):
    """Where each of the three columns ends: Keras's 45%, 85% and 100% of ``line_length``,
    each moved right where a row's text would reach it, so that the counts stay in one
    column however long a name or a list of shapes is."""
    stops, stop = [], 0
    for column, share in enumerate((0.45, 0.85, 1.0)):
        widest = 1 + max(len(row[column]) for row in rows)      # each field after a space
        gap = 1 if column < 2 else 0                             # and one before the next
        stop = max(int(line_length * share), stop + widest + gap)
        stops.append(stop)
    return stops


def print_summary(model, line_length=None, print_fn=None):
    """Print each of ``model.layers``' name, type, output shape and parameter count, and
    the totals, as Keras does (every weight is trainable here). ``line_length``: the
    table's width (None: 65, widened where a row needs it); ``print_fn``: called with each
    line (None: ``print``)."""
    line_length = LINE_LENGTH if line_length is None else positive_int("line_length",
                                                                       line_length)
    print_fn = print if print_fn is None else print_fn
    if not callable(print_fn):
        raise TypeError(f"print_fn must be a function of one line of text, such as print; "
                        f"got {type(print_fn).__name__}")
    model._require_built("summary")
    header = ("Layer (type)", "Output Shape", "Param #")
    rows = [(f"{layer.name} ({type(layer).__name__})", _shape_text(layer.output_shape),
             str(layer.count_params())) for layer in model.layers]
    stops = _column_stops([header, *rows], line_length)
    width = stops[-1]

    def line(fields):
        text = ""
        for field, stop in zip(fields, stops):
            text = (text + " " + field).ljust(stop)
        return text.rstrip()

    print_fn(f'Model: "{model.name}"')
    print_fn("_" * width)
    print_fn(line(header))
    print_fn("=" * width)
    for index, row in enumerate(rows):
        print_fn(line(row))
        print_fn("=" * width if index == len(rows) - 1 else "")
    total = model.count_params()
    frozen = sum(layer.count_params() for layer in model.layers if not layer.trainable)
    print_fn(f"Total params: {total:,}")
    print_fn(f"Trainable params: {total - frozen:,}")
    print_fn(f"Non-trainable params: {frozen:,}")
    print_fn("_" * width)
