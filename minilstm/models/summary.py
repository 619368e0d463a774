"""``model.summary()``: Keras's table of layers, output shapes and parameter counts."""
from ..layers.base import describe_shape


def print_summary(model, line_length=65, print_fn=print):
    """Print each of ``model.layers``' name, type, output shape and parameter count, and
    the totals, as Keras does (every weight is trainable here)."""
    if not model.built:
        raise ValueError(f"model {model.name!r} is not built yet: give the first layer "
                         "input_shape=..., or call build() or fit() first")
    columns = (int(line_length * 0.45), int(line_length * 0.85), line_length)

    def row(*fields):
        line = ""
        for field, stop in zip(fields, columns):
            line = (line + " " + str(field)).ljust(stop)
        return line.rstrip()

    print_fn(f'Model: "{model.name}"')
    print_fn("_" * line_length)
    print_fn(row("Layer (type)", "Output Shape", "Param #"))
    print_fn("=" * line_length)
    layers = model.layers
    for index, layer in enumerate(layers):
        shape = layer.output_shape
        shape_text = (", ".join(describe_shape(s) for s in shape) if isinstance(shape, list)
                      else describe_shape(shape))
        print_fn(row(f"{layer.name} ({type(layer).__name__})", shape_text,
                     layer.count_params()))
        print_fn("=" * line_length if index == len(layers) - 1 else "")
    total = model.count_params()
    print_fn(f"Total params: {total:,}")
    print_fn(f"Trainable params: {total:,}")
    print_fn("Non-trainable params: 0")
    print_fn("_" * line_length)
