"""Every jitted twin is compiled with the package's options (``kernels/jitting.py``)."""
import importlib
import pkgutil

from numba.core.caching import NullCache
from numba.core.registry import CPUDispatcher

import minilstm.kernels
from minilstm.kernels import vector_products


def jitted_functions():
    """``{qualified name: dispatcher}`` of every function jitted in ``minilstm.kernels``."""
    found = {}
    for module_info in pkgutil.iter_modules(minilstm.kernels.__path__):
        module = importlib.import_module(f"minilstm.kernels.{module_info.name}")
        for name, value in vars(module).items():
            if isinstance(value, CPUDispatcher) and value.py_func.__module__ == module.__name__:
                found[f"{module_info.name}.{name}"] = value
    return found


def test_every_jitted_function_has_the_package_options():
    found = jitted_functions()
    assert len(found) >= 25, sorted(found)
    for name, dispatcher in found.items():
        options = dispatcher.targetoptions
        assert options.get("error_model") == "numpy", name
        assert options.get("no_cfunc_wrapper") is True, name
        assert not isinstance(dispatcher._cache, NullCache), f"{name} is not cached"


def test_the_options_of_one_kernel_are_added_to_the_package_options():
    options = vector_products.add_vector_times_matrix_transposed.targetoptions
    assert options["fastmath"] == {"reassoc"}
    assert options["error_model"] == "numpy"
