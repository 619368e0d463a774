"""Which route each pass of the LSTM's Numba twin takes (``lstm_numba``), decided from the
shape: the recurrent products by hand loops or through BLAS (``blas_pays``), the batch on
one core or in two halves on two (``two_cores_pay``), and the products after the backward
time loop by the few-row loops (``few_gradient_rows``), by loops on this core over many rows
(``one_core_pays``) or through BLAS. Every route gives the same numbers up to rounding;
``benchmarks/bench_lstm.py --paths``, ``bench_gradient_routes.py`` and
``bench_two_cores.py`` time them on both sides of each limit."""


def blas_pays(batch, units):
    """Whether BLAS beats the hand loops for one step's (B, H) @ (H, 4H) product.

    Measured on this project's 2-core machine (forward + backward, T = 5): the loops
    win while B·H² (the multiply-adds of one step's product, over 4) stays below about
    1.5e5, where a BLAS call's overhead is not repaid: 1.15x faster at (B, H) =
    (10, 100), a tie at (10, 128), 1.4x slower at (16, 100) and (20, 100).
    ``benchmarks/bench_lstm.py --paths`` times both paths at the tutorials' shapes.
    """
    return batch * units * units >= BLAS_MIN_WORK


BLAS_MIN_WORK = 150_000


def one_core_pays(inputs, units, input_gradient):
    """Whether the products over all B·T rows of d_z after the time loop (dW, dU and, when
    asked, dx) run faster by jitted loops on this core than through BLAS, for more rows
    than ``few_gradient_rows`` takes.

    BLAS splits them over both cores, and the second core must then fetch d_z from the
    caches of the first, whose time loop has just written it: reading what the other core
    wrote costs up to about five times reading one's own on this project's machine
    (``benchmarks/bench_machine.py``). The loops (``weight_gradients_row_blocks``,
    ``loops_times_matrix_transposed``) never pay that hand-off, a cost per element of d_z,
    but multiply at about half BLAS's two-thread rate, a cost per multiply-add. So they win
    while each element of d_z takes part in few multiply-adds (``products_width``): at
    most ``ONE_CORE_MAX_WIDTH``. ``benchmarks/bench_gradient_routes.py`` times both routes
    on both sides of that limit.
    """
    return products_width(inputs, units, input_gradient) <= ONE_CORE_MAX_WIDTH


def products_width(inputs, units, input_gradient):
    """The multiply-adds each element of d_z takes part in after the time loop: I in dW,
    H in dU, and I more in dx when it is asked for at every step."""
    return inputs * (2 if input_gradient else 1) + units


ONE_CORE_MAX_WIDTH = 60


def two_cores_pay(batch, steps, inputs, units):
    """Whether a pass runs faster as two halves of the batch at once, one on each core
    (``second_core.in_halves``), each half doing all its work by jitted loops: x W and the
    time loop forwards; the time loop, dW, dU, db and dx backwards.

    Where the time loops run by hand (``blas_pays`` false) and their products after the
    loop on one core (``one_core_pays``, with dx counted), a pass issues no BLAS call, so
    the second core is free, and each half's arrays stay in the caches of the core that
    wrote them, forwards and backwards alike. Handing a half over costs about 20 µs, so
    only from ``TWO_CORES_MIN_ROWS`` rows (B·T) up. Measured on this project's machine
    (``benchmarks/bench_two_cores.py``, forward + backward): 1.31x at both of the damped-
    sine tutorial's (10, 50, 1, 20) and (10, 50, 20, 20), 1.02x and 1.23x at batch 6 and 8
    of 50 steps (300 and 400 rows), 0.85x at 200 rows ((4, 50) and (10, 20)). The other
    tutorial shapes have wider products and stay on one core: the addition recipe took about
    1.2x as long with its LSTMs halved, products and all.
    """
    return (batch >= 2 and batch * steps >= TWO_CORES_MIN_ROWS and not blas_pays(batch, units)
            and one_core_pays(inputs, units, input_gradient=True))


TWO_CORES_MIN_ROWS = 300


def time_loop_route(blas, two_cores, batch, steps, inputs, units):
    """``(blas, two_cores)`` for a pass: each as forced (True or False) or, for None, by
    shape (``blas_pays``; ``two_cores_pay`` where the loops run)."""
    blas = blas_pays(batch, units) if blas is None else blas
    if two_cores is None:
        two_cores = not blas and two_cores_pay(batch, steps, inputs, units)
    return blas, two_cores


def few_gradient_rows(rows):
    """Whether the weight gradients' products over ``rows`` rows (``weight_gradient_rows``)
    run by the few-row loops (``lstm_gradient_loops``, ``outer_products_sum``): up to
    ``GRADIENT_LOOP_MAX_ROWS``, past ``few_rows``'s limit for the products A M. The rows are
    the inner dimension of their BLAS product Lᵀ R, so BLAS gains on the loops only as the
    rows grow; and in a recipe a BLAS call also wakes BLAS's second thread, which must then
    fetch d_z from the first core's caches (``one_core_pays``). On an AMD EPYC of family 25
    (Zen 4), alone, the loops took 1.2x BLAS's time at the addition encoder's dU, (40, 100)ᵀ
    @ (40, 400) (36 against 30 µs), and 1.5x at 64 rows (ad hoc); in the addition recipe,
    that encoder's weight gradients by the loops made whole runs 1.035x and 1.279x as fast
    (``benchmarks/bench_revisions.py --processes``, benchmarks/README.md), the second in a
    spell when every run calling BLAS there took about 1.25 s rather than 1.0."""
    return rows <= GRADIENT_LOOP_MAX_ROWS


GRADIENT_LOOP_MAX_ROWS = 40
