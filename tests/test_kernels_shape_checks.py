"""Every kernel checks the shapes its loops will index, in both twins, before either runs;
the recurrent ones, the dtypes too.

Numba compiles without bounds checks: before these checks, the Numba twins of the LSTM, the
attention decoders and the optimisers, given a weight or a gradient of the wrong shape, read
and wrote past the ends of arrays (garbage returned, memory corrupted, a crash at exit),
while the NumPy twins failed inside NumPy's broadcasting. Given an input of integers, both
twins of the recurrent kernels kept their states as integers: every one truncated to 0.
"""
import numpy as np
import pytest

from conftest import attention_weights, lstm_arrays
from minilstm.kernels import attention, attentive_lstm, dense, lstm, optimizers

TWINS = ("numpy", "numba")
RNG = np.random.default_rng(0)
X, KERNEL, RECURRENT, BIAS, H0, C0 = lstm_arrays(RNG, 2, 3, 4, 5)       # I = 4, H = 5


def twin(module, name, backend):
    return getattr(module, f"{name}_{'reference' if backend == 'numpy' else 'numba'}")


@pytest.mark.parametrize("backend", TWINS)
@pytest.mark.parametrize("arguments, message", [
    ((X[0], KERNEL, RECURRENT, BIAS), r"x must have shape \(batch, steps, features\); "
                                      r"got \(3, 4\)"),
    ((X, KERNEL[:3], RECURRENT, BIAS), r"kernel must have shape \(4, 20\); got \(3, 20\)"),
    ((X, KERNEL, RECURRENT[:, :16], BIAS), r"recurrent_kernel must have shape \(5, 20\); "
                                           r"got \(5, 16\)"),
    ((X, KERNEL, RECURRENT, BIAS[:16]), r"bias must have shape \(20,\); got \(16,\)"),
    ((X, KERNEL, RECURRENT, BIAS, H0[:, :4], C0), r"h0 must have shape \(2, 5\); got \(2, 4\)"),
    ((X, KERNEL, RECURRENT, BIAS, H0, C0[:1]), r"c0 must have shape \(2, 5\); got \(1, 5\)"),
])
def test_lstm_forward_names_the_array_of_the_wrong_shape(backend, arguments, message):
    with pytest.raises(ValueError, match=message):
        twin(lstm, "forward", backend)(*arguments)


@pytest.mark.parametrize("backend", TWINS)
@pytest.mark.parametrize("upstream, message", [
    ((np.ones((2, 3, 4)), None, None), r"d_hidden must have shape \(2, 3, 5\); got \(2, 3, 4\)"),
    ((None, np.ones((2, 4)), None), r"d_h_last must have shape \(2, 5\); got \(2, 4\)"),
    ((None, None, np.ones((3, 5))), r"d_c_last must have shape \(2, 5\); got \(3, 5\)"),
])
def test_lstm_backward_names_the_gradient_of_the_wrong_shape(backend, upstream, message):
    *_, cache = twin(lstm, "forward", backend)(X, KERNEL, RECURRENT, BIAS)
    with pytest.raises(ValueError, match=message):
        twin(lstm, "backward", backend)(*upstream, cache)


H = RNG.standard_normal((2, 3, 4))                                       # D = 4
WEIGHTS = attention_weights(RNG, 4, 5, 6)                                # n = 5, K = 6


@pytest.mark.parametrize("backend", TWINS)
@pytest.mark.parametrize("h, weights, message", [
    (H[0], WEIGHTS, r"h must have shape \(batch, steps, features\); got \(3, 4\)"),
    (H[..., :3], WEIGHTS, r"U_a must have shape \(3, 5\); got \(4, 5\)"),
    (H, WEIGHTS._replace(U_z=WEIGHTS.U_z[:4]), r"U_z must have shape \(5, 5\); got \(4, 5\)"),
    (H, WEIGHTS._replace(b_o=WEIGHTS.b_o[:5]), r"b_o must have shape \(6,\); got \(5,\)"),
])
def test_attention_decoder_forward_names_the_weight_of_the_wrong_shape(
        backend, h, weights, message):
    with pytest.raises(ValueError, match=message):
        twin(attention, "forward", backend)(h, weights, 2)


@pytest.mark.parametrize("backend", TWINS)
@pytest.mark.parametrize("name, shape", [("d_outputs", (2, 2, 5)), ("d_logits", (2, 3, 6)),
                                         ("d_attention", (2, 2, 4))])
def test_attention_decoder_backward_names_the_gradient_of_the_wrong_shape(
        backend, name, shape):
    *_, cache = twin(attention, "forward", backend)(H, WEIGHTS, 2)
    with pytest.raises(ValueError, match=rf"{name} must have shape \(2, 2, [36]\); got "
                                         rf"\({shape[0]}, {shape[1]}, {shape[2]}\)"):
        twin(attention, "backward", backend)(cache, **{name: np.ones(shape)})


def attentive_problem():
    rng = np.random.default_rng(1)
    weights = attentive_lstm.AttentiveLSTMWeights(
        *(rng.standard_normal(shape) for shape in attentive_lstm.weight_shapes(3, 4, 5, 2)))
    x, memory = rng.standard_normal((2, 3, 3)), rng.standard_normal((2, 6, 4))
    return weights, [x, memory, np.zeros((2, 5)), np.zeros((2, 5))]


@pytest.mark.parametrize("backend", TWINS)
@pytest.mark.parametrize("change, message", [
    (lambda w, a: (w, [a[0][0]] + a[1:]), r"x must have shape \(batch, steps, features\)"),
    (lambda w, a: (w, [a[0], a[1][:1]] + a[2:]), r"memory must have x's batch of 2; "
                                                 r"got shape \(1, 6, 4\)"),
    (lambda w, a: (w._replace(W1=w.W1[:3]), a), r"W1 must have shape \(4, 2\); got \(3, 2\)"),
    (lambda w, a: (w._replace(context_kernel=w.context_kernel[:, :8]), a),
     r"context_kernel must have shape \(4, 20\); got \(4, 8\)"),
    (lambda w, a: (w, a[:2] + [np.zeros((2, 4)), a[3]]), r"h0 must have shape \(2, 5\); "
                                                         r"got \(2, 4\)"),
])
def test_attentive_lstm_forward_names_the_array_of_the_wrong_shape(backend, change, message):
    weights, arrays = change(*attentive_problem())
    x, memory, h0, c0 = arrays
    with pytest.raises(ValueError, match=message):
        twin(attentive_lstm, "forward", backend)(x, memory, weights, h0, c0)


@pytest.mark.parametrize("backend", TWINS)
@pytest.mark.parametrize("upstream, message", [
    ((np.ones((2, 3, 4)), np.ones((2, 3, 4))), r"d_hidden must have shape \(2, 3, 5\)"),
    ((np.ones((2, 3, 5)), np.ones((2, 3, 5))), r"d_contexts must have shape \(2, 3, 4\)"),
    ((np.ones((2, 3, 5)), np.ones((2, 3, 4)), np.ones((1, 5))),
     r"d_h_last must have shape \(2, 5\); got \(1, 5\)"),
])
def test_attentive_lstm_backward_names_the_gradient_of_the_wrong_shape(
        backend, upstream, message):
    weights, (x, memory, h0, c0) = attentive_problem()
    *_, cache = twin(attentive_lstm, "forward", backend)(x, memory, weights, h0, c0)
    with pytest.raises(ValueError, match=message):
        twin(attentive_lstm, "backward", backend)(cache, *upstream)


@pytest.mark.parametrize("backend", TWINS)
@pytest.mark.parametrize("update, state_names", [
    ("adam", ("m", "v")), ("rmsprop", ("mean_square", "moving")), ("sgd_momentum", ("velocity",)),
])
def test_optimizer_updates_name_the_array_of_another_shape_than_the_weights(
        backend, update, state_names):
    hyperparameters = {"adam": (0.001, 0.9, 0.999, 1e-7), "rmsprop": (0.001, 0.9, 0.0, 1e-7),
                       "sgd_momentum": (0.01, 0.9, False)}[update]
    kernel = twin(optimizers, update, backend)
    for name in ("grad",) + state_names:
        arrays = {key: np.zeros(8, np.float32) for key in ("grad",) + state_names}
        arrays[name] = np.zeros(5, np.float32)
        param = np.zeros(8, np.float32)
        with pytest.raises(ValueError, match=rf"{name} must have param's shape \(8,\); "
                                             r"got \(5,\)"):
            kernel(param, *arrays.values(), *hyperparameters)


@pytest.mark.parametrize("backend", TWINS)
@pytest.mark.parametrize("update, state_names", [
    ("adam", ("m", "v")), ("rmsprop", ("mean_square", "moving")), ("sgd_momentum", ("velocity",)),
])
def test_optimizer_updates_take_arrays_of_one_float_dtype(backend, update, state_names):
    """The Numba twins stored the update of integer weights or moments truncated (weights
    [1, 2, 3] became [0, 1, 2] in a step of 0.1); the NumPy twins failed in a ufunc."""
    hyperparameters = {"adam": (0.1, 0.9, 0.999, 1e-7), "rmsprop": (0.1, 0.9, 0.5, 1e-7),
                       "sgd_momentum": (0.1, 0.9, False)}[update]
    kernel = twin(optimizers, update, backend)
    for name in ("param", "grad") + state_names:
        arrays = {key: np.ones(3) for key in ("param", "grad") + state_names}
        arrays[name] = np.ones(3, dtype=int)
        message = (r"^param must be float32 or float64 .*; got int64$" if name == "param" else
                   rf"^{name} has dtype int64 where param has float64")
        with pytest.raises(TypeError, match=message):
            kernel(*arrays.values(), *hyperparameters)
        assert all(array.tolist() == [1, 1, 1] for array in arrays.values())


@pytest.mark.parametrize("backend", TWINS)
def test_lstm_backward_names_a_given_gradient_array_of_the_wrong_shape(backend):
    """On the BLAS route (the NumPy twin's, and the Numba twin's for large shapes) a wrong
    ``out`` failed inside NumPy's matmul, or as a cast from an object array."""
    *_, cache = twin(lstm, "forward", backend)(X, KERNEL, RECURRENT, BIAS)
    with pytest.raises(ValueError, match=r"out's dW must have shape \(4, 20\); got \(3, 20\)"):
        twin(lstm, "backward", backend)(None, H0, None, cache,
                                        out=[np.zeros((3, 20)), None, None])


@pytest.mark.parametrize("backend", TWINS)
def test_dense_kernel_of_one_axis_is_refused_by_name(backend):
    """The Numba twin failed with loops_pay()'s missing argument."""
    with pytest.raises(ValueError, match=r"kernel must have shape \(inputs, units\); got \(4,\)"):
        twin(dense, "forward", backend)(np.ones((3, 4)), np.ones(4), np.zeros(2))


@pytest.mark.parametrize("backend", TWINS)
@pytest.mark.parametrize("output_length", [0, -1, 2.0])
def test_attention_decoder_needs_an_output_length_of_one_step_or_more(backend, output_length):
    """-1 failed in NumPy's allocation ('negative dimensions'), 2.0 in a slice; 0 returned
    empty arrays."""
    with pytest.raises(ValueError, match=r"output_length must be an integer >= 1; got "):
        twin(attention, "forward", backend)(H, WEIGHTS, output_length)


ONE_HOT_INTEGERS = np.eye(4, dtype=int)[RNG.integers(0, 4, (2, 3))]       # (2, 3, 4)


@pytest.mark.parametrize("backend", TWINS)
@pytest.mark.parametrize("arguments, message", [
    ((ONE_HOT_INTEGERS, KERNEL, RECURRENT, BIAS),
     r"^x must be float32 or float64 \(the loops keep their states in its dtype\); got int64$"),
    ((X.astype(np.float32), KERNEL, RECURRENT, BIAS),
     r"^kernel has dtype float64 where x has float32: give every array one dtype"),
    ((X, KERNEL, RECURRENT, BIAS, H0, C0.astype(np.float32)),
     r"^c0 has dtype float32 where x has float64"),
    ((X.tolist(), KERNEL, RECURRENT, BIAS), r"^x must be a NumPy array; got list$"),
])
def test_lstm_forward_takes_arrays_of_one_float_dtype(backend, arguments, message):
    """An integer one-hot input gave integer states, all zeros, as if it were no input."""
    with pytest.raises(TypeError, match=message):
        twin(lstm, "forward", backend)(*arguments)


@pytest.mark.parametrize("backend", TWINS)
def test_attention_decoders_take_arrays_of_one_float_dtype(backend):
    with pytest.raises(TypeError, match=r"^h must be float32 or float64 .*; got int64$"):
        twin(attention, "forward", backend)(ONE_HOT_INTEGERS, WEIGHTS, 2)
    with pytest.raises(TypeError, match=r"^V_a has dtype float32 where h has float64"):
        twin(attention, "forward", backend)(H, WEIGHTS._replace(V_a=WEIGHTS.V_a.astype(
            np.float32)), 2)
    weights, (x, memory, h0, c0) = attentive_problem()
    with pytest.raises(TypeError, match=r"^x must be float32 or float64 .*; got int64$"):
        twin(attentive_lstm, "forward", backend)(x.astype(int), memory, weights, h0, c0)
    with pytest.raises(TypeError, match=r"^memory has dtype float32 where x has float64"):
        twin(attentive_lstm, "forward", backend)(x, memory.astype(np.float32), weights, h0, c0)
