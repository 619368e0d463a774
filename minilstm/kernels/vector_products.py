r"""Vector–matrix products for the jitted time loops, where a BLAS call costs more than
the product (one sequence, or a few, and a few hundred units)::

    add_vector_times_matrix             out += v M       out_j += Σ_k v_k M_kj
    add_vector_times_matrix_transposed  out += v Mᵀ      out_k += Σ_j v_j M_kj
    add_two_vectors_times_matrix_transposed   the same for two vectors in one pass

All take four rows of ``M`` per pass. The first then loads and stores ``out`` once per
four rows instead of once per row (its loop was bound by those stores); the others read
``v`` once for four dot products, and the third each row of ``M`` once for two vectors.
The first two, measured on this project's machine against one row per pass: 1.2–1.5x and
1.4–1.8x faster at the tutorials' shapes (H = 20 to 150).

The same two products for a few rows at once (``R`` up to about 10, where BLAS spends
more on packing the matrix than on the product)::

    add_rows_times_matrix                   out += A M    out_rj += Σ_k A_rk M_kj
    add_rows_times_matrix_transposed        out += A Mᵀ   out_rk += Σ_j A_rj M_kj
    add_few_rows_times_matrix_transposed    the same, faster for a few rows

The first two read ``M`` once, however many rows: the first walks four rows of ``M`` at a
time across all rows of ``out``, two rows of ``out`` at a time (a few rows, which stay in
L1), the second takes the dot products of each row of ``M`` with four rows of ``A`` at a
time. The third reads ``M`` once per two rows of ``A``, each row of ``M`` dotted with
both (``add_two_vectors_times_matrix_transposed``). ``rows_times_matrix`` and
``rows_times_matrix_transposed`` return A M and A Mᵀ, by these loops for up to
``LOOP_MAX_ROWS`` rows and by BLAS beyond (``few_rows``).
``add_rows_times_matrix`` also takes the LSTM loops' per-step h_{t-1} U for all the
sequences of a batch at once.

A weight gradient over a few rows, the sum of their outer products::

    outer_products_sum                  out = Aᵀ B      out_kj = Σ_r A_rk B_rj
    sum_of_rows                         out = Σ_r B_r   (a bias's gradient)

forms the rows of ``out`` two at a time from the rows of B, which stay in L1, and stores
each to memory once: for the weight gradients of one sequence, or a few, all of a layer's
in one jitted call. ``outer_products_sum_by_row_blocks`` is the same sum the other way
round, for many rows into a small ``out`` (which then stays in L1): eight rows of B at a
time are added into every row of ``out``, so B is read once.

All sums are taken in another order than NumPy's, some with fused multiply-adds, so
results differ from its products in the last bits (reassociation and contraction only:
NaN and inf still propagate).
"""
import numpy as np

from .fast_math import zero_for
from .jitting import kernel_jit
from .shapes import require_shape, require_shapes

LOOP_MAX_ROWS = 10


def few_rows(rows):
    """Whether A M or A Mᵀ over ``rows`` rows of A runs by the loops below rather than
    through BLAS, which packs M before multiplying and, for a handful of rows, spends more
    on that than on the product. Measured on this project's machine: the loops take
    0.5–0.8x BLAS's time at 5 and 10 rows (the echo tutorial's LSTM decoder, (5, 150) by
    (150, 600): 25 against 42 µs, and 21 against 46 µs transposed), 1.3–2.2x at 16 and 20."""
    return rows <= LOOP_MAX_ROWS


def blas_product(rows, matrix, out=None):
    """rows (R, K) @ matrix (K, J) through BLAS (into ``out`` when given): ``np.matmul``,
    but ``np.dot`` when K = 1.

    NumPy's ``dot`` and ``matmul`` both call BLAS's sgemm, yet on this project's machine,
    over 11 to 1,280 rows, ``matmul`` took 0.3–1.0x ``dot``'s time from 500 rows up,
    the least with few inner columns (0.67x on the (1280, 30) @ (30, 1024) input
    projection at (64, 20, 30, 256), 0.75–0.79x on the sine tutorial's (500, 20) @ (20, 80)),
    and about as long up to 100 rows (0.75–1.2x, under a microsecond apart where it was
    behind). With K = 1 ``matmul`` leaves BLAS for a loop of its own, about 5x slower on
    (500, 1) @ (1, 80); ``dot`` does not.
    """
    if rows.shape[1] == 1:
        return np.dot(rows, matrix, out=out)                             # (R, J)
    return np.matmul(rows, matrix, out=out)                              # (R, J)


def flat_rows_product(array, matrix, times=blas_product):
    """array (..., K) @ matrix (K, J) -> (..., J), as one product ``times(rows, matrix)``
    over the rows of all the leading axes. NumPy's matmul on a 3-D array makes one BLAS
    call per leading index: on this project's machine 2.5x the time of one product over the
    same rows at (64, 20, 256) @ (256, 93), a translation model's output layer, and 2.0x at
    (64, 20, 71) @ (71, 1024), its attentive decoder's input projection."""
    if array.ndim == 2:
        return times(array, matrix)                                      # (R, J)
    rows = array.reshape(-1, array.shape[-1])                            # (N, K)
    return times(rows, matrix).reshape(array.shape[:-1] + matrix.shape[1:])  # (..., J)


def rows_times_matrix(rows, matrix):
    """rows (R, K) @ matrix (K, J), by loops or BLAS (``few_rows``, ``blas_product``)."""
    if not few_rows(rows.shape[0]):
        return blas_product(rows, matrix)                                # (R, J)
    dtype = np.promote_types(rows.dtype, matrix.dtype)                   # as BLAS's result
    product = np.zeros((rows.shape[0], matrix.shape[1]), dtype=dtype)    # (R, J)
    _add_rows_as_strided_times_matrix(np.ascontiguousarray(rows), np.ascontiguousarray(matrix),
                                      product)
    return product


def times_transposed(rows, matrix):
    """rows (R, J) @ matrix (K, J)ᵀ through NumPy (BLAS): the NumPy twins' product."""
    return rows @ matrix.T                                               # (R, K)


def rows_times_matrix_transposed(rows, matrix):
    """rows (R, J) @ matrix (K, J)ᵀ, by loops or BLAS (``few_rows``)."""
    if not few_rows(rows.shape[0]):
        return times_transposed(rows, matrix)                            # (R, K)
    return loops_times_matrix_transposed(rows, matrix)


def loops_times_matrix_transposed(rows, matrix):
    """rows (R, J) @ matrix (K, J)ᵀ by jitted loops, whatever R: for one row the
    one-vector product (``add_vector_times_matrix_transposed``, which a batch of one's LSTM
    has compiled already; ``add_few_rows_times_matrix_transposed`` would compile the
    two-vector product too, about half a second on an empty cache), for a few rows
    ``add_few_rows_times_matrix_transposed`` (``few_rows``), for more
    ``add_rows_times_matrix_transposed``."""
    dtype = np.promote_types(rows.dtype, matrix.dtype)                   # as BLAS's result
    product = np.zeros((rows.shape[0], matrix.shape[0]), dtype=dtype)    # (R, K)
    rows, matrix = np.ascontiguousarray(rows), np.ascontiguousarray(matrix)
    if rows.shape[0] == 1:
        add_vector_times_matrix_transposed(rows[0], matrix, product[0])
    elif few_rows(rows.shape[0]):
        add_few_rows_times_matrix_transposed(rows, matrix, product)
    else:
        add_rows_times_matrix_transposed(rows, matrix, product)
    return product


@kernel_jit()
def add_vector_times_matrix(vector, matrix, out):
    """out (J,) += vector (K,) @ matrix (K, J); SIMD over the J columns."""
    rows, width = matrix.shape
    k = 0
    while k + 4 <= rows:
        v0, v1, v2, v3 = vector[k], vector[k + 1], vector[k + 2], vector[k + 3]
        m0, m1, m2, m3 = matrix[k], matrix[k + 1], matrix[k + 2], matrix[k + 3]
        for j in range(width):
            out[j] += v0 * m0[j] + v1 * m1[j] + v2 * m2[j] + v3 * m3[j]
        k += 4
    while k < rows:
        v_k, m_k = vector[k], matrix[k]
        for j in range(width):
            out[j] += v_k * m_k[j]
        k += 1


@kernel_jit(fastmath={"reassoc"})
def add_vector_times_matrix_transposed(vector, matrix, out):
    """out (K,) += vector (J,) @ matrix (K, J)ᵀ: row dot products, SIMD over J."""
    rows, width = matrix.shape
    k = 0
    while k + 4 <= rows:
        m0, m1, m2, m3 = matrix[k], matrix[k + 1], matrix[k + 2], matrix[k + 3]
        t0, t1, t2, t3 = zero_for(out), zero_for(out), zero_for(out), zero_for(out)
        for j in range(width):
            v_j = vector[j]
            t0 += v_j * m0[j]
            t1 += v_j * m1[j]
            t2 += v_j * m2[j]
            t3 += v_j * m3[j]
        out[k] += t0
        out[k + 1] += t1
        out[k + 2] += t2
        out[k + 3] += t3
        k += 4
    while k < rows:
        m_k = matrix[k]
        total = zero_for(out)
        for j in range(width):
            total += vector[j] * m_k[j]
        out[k] += total
        k += 1


@kernel_jit(fastmath={"reassoc", "contract"})
def add_two_vectors_times_matrix_transposed(vector_a, vector_b, matrix, out_a, out_b):
    """out_a (K,) += vector_a (J,) @ matrix (K, J)ᵀ and the same for b, in one pass.

    ``add_vector_times_matrix_transposed`` for two vectors at once (a second function,
    not a flag: one vector must not pay for two sets of sums): each load of four matrix
    rows serves eight dot products, with fused multiply-adds. For the LSTM backward
    step's dz_t Uᵀ, two sequences at a time (each row of dz_t contiguous, where
    ``add_rows_times_matrix_transposed`` would read them strided). With the two-row form
    of ``add_rows_times_matrix``, 1.02–1.27x on the whole LSTM kernel at the addition
    tutorial's (10, 5, 12, 100) (``benchmarks/bench_revisions.py``; benchmarks/README.md).
    """
    rows, width = matrix.shape
    k = 0
    while k + 4 <= rows:
        m0, m1, m2, m3 = matrix[k], matrix[k + 1], matrix[k + 2], matrix[k + 3]
        a0, a1, a2, a3 = zero_for(out_a), zero_for(out_a), zero_for(out_a), zero_for(out_a)
        b0, b1, b2, b3 = zero_for(out_a), zero_for(out_a), zero_for(out_a), zero_for(out_a)
        for j in range(width):
            va_j, vb_j = vector_a[j], vector_b[j]
            m0_j, m1_j, m2_j, m3_j = m0[j], m1[j], m2[j], m3[j]
            a0 += va_j * m0_j
            a1 += va_j * m1_j
            a2 += va_j * m2_j
            a3 += va_j * m3_j
            b0 += vb_j * m0_j
            b1 += vb_j * m1_j
            b2 += vb_j * m2_j
            b3 += vb_j * m3_j
        out_a[k] += a0
        out_a[k + 1] += a1
        out_a[k + 2] += a2
        out_a[k + 3] += a3
        out_b[k] += b0
        out_b[k + 1] += b1
        out_b[k + 2] += b2
        out_b[k + 3] += b3
        k += 4
    while k < rows:
        m_k = matrix[k]
        a_k, b_k = zero_for(out_a), zero_for(out_a)
        for j in range(width):
            a_k += vector_a[j] * m_k[j]
            b_k += vector_b[j] * m_k[j]
        out_a[k] += a_k
        out_b[k] += b_k
        k += 1


@kernel_jit()
def add_step_rows_times_matrix_transposed(rows_by_step, t, matrix, out):
    """out (B, K) += rows_by_step[:, t] (B, J) @ matrix (K, J)ᵀ, two rows at a time (each row
    of the matrix read once for both; the last alone when B is odd): the recurrent
    gradient dh_{t-1} += da_t Uᵀ of a backward time loop, its rows ``rows_by_step[b, t]``
    taken one by one, each contiguous (the rows of a view ``rows_by_step[:, t]`` are
    strided, and the products over them did not vectorise: ``lstm_time_loops``)."""
    batch = out.shape[0]
    b = 0
    while b + 2 <= batch:
        add_two_vectors_times_matrix_transposed(rows_by_step[b, t], rows_by_step[b + 1, t],
                                                matrix, out[b], out[b + 1])
        b += 2
    if b < batch:
        add_vector_times_matrix_transposed(rows_by_step[b, t], matrix, out[b])


@kernel_jit(fastmath={"contract"})
def add_rows_times_matrix(rows, matrix, out):
    """out (R, J) += rows (R, K) @ matrix (K, J), reading the matrix once.

    Four rows of the matrix per pass, and in each pass two rows of ``out`` at a time, so
    that every load of the matrix serves two rows, with fused multiply-adds (see
    ``add_two_vectors_times_matrix_transposed`` for what the pair of them gained). Each
    ``out[j]`` is written out + a0 m0 + a1 m1 + a2 m2 + a3 m3, added left to right, so
    that the four terms contract into four fused multiply-adds onto ``out[j]``; written
    out + (a0 m0 + … + a3 m3), the sum in brackets took a multiply and an add more, and
    the product 1.1–1.16x as long at 5 and 10 rows (the addition tutorial's
    (10, 100) @ (100, 400): 27.1 against 23.5 µs on this project's machine, ad hoc).
    """
    n_rows, depth = rows.shape
    width = matrix.shape[1]
    k = 0
    while k + 4 <= depth:
        m0, m1, m2, m3 = matrix[k], matrix[k + 1], matrix[k + 2], matrix[k + 3]
        r = 0
        while r + 2 <= n_rows:
            out_a, out_b = out[r], out[r + 1]
            a0, a1, a2, a3 = rows[r, k], rows[r, k + 1], rows[r, k + 2], rows[r, k + 3]
            b0, b1 = rows[r + 1, k], rows[r + 1, k + 1]
            b2, b3 = rows[r + 1, k + 2], rows[r + 1, k + 3]
            for j in range(width):
                m0_j, m1_j, m2_j, m3_j = m0[j], m1[j], m2[j], m3[j]
                out_a[j] = out_a[j] + a0 * m0_j + a1 * m1_j + a2 * m2_j + a3 * m3_j
                out_b[j] = out_b[j] + b0 * m0_j + b1 * m1_j + b2 * m2_j + b3 * m3_j
            r += 2
        if r < n_rows:
            out_a = out[r]
            a0, a1, a2, a3 = rows[r, k], rows[r, k + 1], rows[r, k + 2], rows[r, k + 3]
            for j in range(width):
                out_a[j] = out_a[j] + a0 * m0[j] + a1 * m1[j] + a2 * m2[j] + a3 * m3[j]
        k += 4
    while k < depth:
        m_k = matrix[k]
        for r in range(n_rows):
            v_k, out_r = rows[r, k], out[r]
            for j in range(width):
                out_r[j] += v_k * m_k[j]
        k += 1


@kernel_jit()
def _add_rows_as_strided_times_matrix(rows, matrix, out):
    """``add_rows_times_matrix`` with ``rows`` typed as strided (any layout), as the LSTM
    loops' h_{t-1}, a strided slice of the hidden sequence, is: one compiled version then
    serves both callers, where contiguous rows would compile a second one (about a second
    on an empty cache). Only the scalars ``rows[r, k]`` are read through that type, so
    the loops over the matrix's rows keep their SIMD."""
    add_rows_times_matrix(rows[:, :rows.shape[1]], matrix, out)


@kernel_jit(fastmath={"reassoc"})
def add_rows_times_matrix_transposed(rows, matrix, out):
    """out (R, K) += rows (R, J) @ matrix (K, J)ᵀ, reading the matrix once: for many rows
    (a few take ``add_few_rows_times_matrix_transposed``).

    ``add_vector_times_matrix_transposed`` turned around (the dot products of four rows
    with one row of the matrix, instead of four matrix rows with one vector). Calling it
    per matrix row, with column k of ``out`` as its output, measured 5–15% slower at five
    and ten rows and 3x slower at one (its strided writes and a call per matrix row).
    """
    n_rows, width = rows.shape
    for k in range(matrix.shape[0]):
        m_k = matrix[k]
        r = 0
        while r + 4 <= n_rows:
            a0, a1, a2, a3 = rows[r], rows[r + 1], rows[r + 2], rows[r + 3]
            t0, t1, t2, t3 = zero_for(out), zero_for(out), zero_for(out), zero_for(out)
            for j in range(width):
                m_kj = m_k[j]
                t0 += a0[j] * m_kj
                t1 += a1[j] * m_kj
                t2 += a2[j] * m_kj
                t3 += a3[j] * m_kj
            out[r, k] += t0
            out[r + 1, k] += t1
            out[r + 2, k] += t2
            out[r + 3, k] += t3
            r += 4
        while r < n_rows:
            a_r = rows[r]
            total = zero_for(out)
            for j in range(width):
                total += a_r[j] * m_k[j]
            out[r, k] += total
            r += 1


@kernel_jit()
def add_few_rows_times_matrix_transposed(rows, matrix, out):
    """out (R, K) += rows (R, J) @ matrix (K, J)ᵀ for a few rows: two at a time by
    ``add_two_vectors_times_matrix_transposed``, the last alone when R is odd.

    Reads the matrix once per pair of rows, against once in all for
    ``add_rows_times_matrix_transposed``, but with six loads per eight multiply-adds
    against five per four there. On this project's machine that took 0.6–0.8x
    ``add_rows_times_matrix_transposed``'s time at the tutorials' few-row shapes (the
    addition decoder's (10, 200) @ (100, 200)ᵀ: 11.7 against 18.8 µs; one row of 600 by
    (150, 600)ᵀ: 7.3 against 11.0 µs), and over many rows of a narrow matrix up to 5x
    as long (a call per pair: 13.6 against 2.5 µs at (250, 80) @ (1, 80)ᵀ; ad hoc).
    """
    r = 0
    while r + 2 <= rows.shape[0]:
        add_two_vectors_times_matrix_transposed(rows[r], rows[r + 1], matrix, out[r], out[r + 1])
        r += 2
    if r < rows.shape[0]:
        add_vector_times_matrix_transposed(rows[r], matrix, out[r])


def given_or_zeros(name, array, shape, dtype):
    """What the jitted loops read for an optional input: ``array`` as a C-contiguous array
    of ``dtype``, or zeros of ``shape`` when it is None; a given array of another shape is
    an error naming it (``name``)."""
    if array is None:
        return np.zeros(shape, dtype)
    return require_shape(name, np.ascontiguousarray(array, dtype), shape)


def zeros_or_copy(name, array, shape, dtype):
    """A new array of ``dtype`` that a loop may overwrite: zeros when ``array`` is None, else
    a copy of it, which must have ``shape`` (an error naming it, ``name``, otherwise)."""
    if array is None:
        return np.zeros(shape, dtype)
    return require_shape(name, array, shape).astype(dtype, copy=True)


def gradient_arrays(given, shapes, names, dtype):
    """The arrays that few-row weight gradients (``outer_products_sum``, ``sum_of_rows``) are
    written into, one per entry of ``shapes``: those of ``given`` (a sequence, or None for
    none), with a new array of ``dtype`` for each None. A given array of another shape is an
    error naming it (``names``); one of another dtype or layout gets its own compilation."""
    arrays = [np.empty(shape, dtype) if array is None else array
              for array, shape in zip(given or (None,) * len(shapes), shapes)]
    require_shapes((f"out's {name}" for name in names), arrays, shapes)
    return arrays


@kernel_jit(fastmath={"contract"})
def outer_products_sum(left, right, out):
    """out (K, J) = left (R, K)ᵀ @ right (R, J) = Σ_r left_r ⊗ right_r, overwriting ``out``.

    Rows k and k + 1 of ``out`` are columns k and k + 1 of ``left`` times ``right``, formed
    together, four rows of ``right`` per pass: each load of those four rows serves both
    rows of ``out``, as in ``add_rows_times_matrix``, whose form (left to right, four fused
    multiply-adds onto ``out[j]``) the passes take. One row of ``out`` per pass, its loop
    was bound by loads, five for four multiply-adds: two rows took 0.53x the time at the
    addition tutorial's dU, (40, 100)ᵀ @ (40, 400), and 0.76x at the echo tutorial's
    (5, 150)ᵀ @ (5, 600) (41.2 against 77.6 µs, 13.2 against 17.3 µs, on an AMD EPYC of
    family 25, ad hoc). For an odd K the last pass forms its row twice, the second into a
    spare row. The first pass writes the rows rather than adding to them (no pass to zero
    them first): at five rows 1.4–1.9x faster than zeroing first (ad hoc).
    """
    n_rows, width = right.shape
    n_out = out.shape[0]
    spare = np.empty(width if n_out % 2 else 0, out.dtype)             # (J,) for an odd K
    for k in range(0, n_out, 2):
        k_b = k + 1 if k + 1 < n_out else k
        out_a, out_b = out[k], out[k_b] if k_b > k else spare           # (J,) each
        r = 0
        if n_rows >= 4:
            m0, m1, m2, m3 = right[0], right[1], right[2], right[3]
            a0, a1, a2, a3 = left[0, k], left[1, k], left[2, k], left[3, k]
            b0, b1, b2, b3 = left[0, k_b], left[1, k_b], left[2, k_b], left[3, k_b]
            for j in range(width):
                m0_j, m1_j, m2_j, m3_j = m0[j], m1[j], m2[j], m3[j]
                out_a[j] = a0 * m0_j + a1 * m1_j + a2 * m2_j + a3 * m3_j
                out_b[j] = b0 * m0_j + b1 * m1_j + b2 * m2_j + b3 * m3_j
            r = 4
        else:
            for j in range(width):
                out_a[j] = 0.0
                out_b[j] = 0.0
        while r + 4 <= n_rows:
            m0, m1, m2, m3 = right[r], right[r + 1], right[r + 2], right[r + 3]
            a0, a1, a2, a3 = left[r, k], left[r + 1, k], left[r + 2, k], left[r + 3, k]
            b0, b1, b2, b3 = left[r, k_b], left[r + 1, k_b], left[r + 2, k_b], left[r + 3, k_b]
            for j in range(width):
                m0_j, m1_j, m2_j, m3_j = m0[j], m1[j], m2[j], m3[j]
                out_a[j] = out_a[j] + a0 * m0_j + a1 * m1_j + a2 * m2_j + a3 * m3_j
                out_b[j] = out_b[j] + b0 * m0_j + b1 * m1_j + b2 * m2_j + b3 * m3_j
            r += 4
        while r < n_rows:
            a_r, b_r, m_r = left[r, k], left[r, k_b], right[r]
            for j in range(width):
                out_a[j] += a_r * m_r[j]
                out_b[j] += b_r * m_r[j]
            r += 1


@kernel_jit(fastmath={"contract"})
def outer_products_sum_by_row_blocks(left, right, out):
    """out (K, J) = left (R, K)ᵀ @ right (R, J), overwriting ``out``, for many rows into a
    small ``out``: eight rows of ``right`` at a time (a block that stays in L1) are added
    into every row of ``out``, which stays in L1 too. ``outer_products_sum`` instead reads
    all of ``right`` once per row of ``out``: from L2 for the damped-sine tutorial's 500
    rows. Eight rows a pass, against four, took about 0.87x the time on its (500, 20)ᵀ @
    (500, 80) (54 against 62 µs on this project's machine, ad hoc)."""
    n_rows, width = right.shape
    out[:] = 0.0
    r = 0
    while r + 8 <= n_rows:
        m0, m1, m2, m3 = right[r], right[r + 1], right[r + 2], right[r + 3]
        m4, m5, m6, m7 = right[r + 4], right[r + 5], right[r + 6], right[r + 7]
        for k in range(out.shape[0]):
            a0, a1, a2, a3 = left[r, k], left[r + 1, k], left[r + 2, k], left[r + 3, k]
            a4, a5, a6, a7 = left[r + 4, k], left[r + 5, k], left[r + 6, k], left[r + 7, k]
            out_k = out[k]
            for j in range(width):
                out_k[j] += ((a0 * m0[j] + a1 * m1[j] + a2 * m2[j] + a3 * m3[j])
                             + (a4 * m4[j] + a5 * m5[j] + a6 * m6[j] + a7 * m7[j]))
        r += 8
    while r < n_rows:
        m_r = right[r]
        for k in range(out.shape[0]):
            a_r, out_k = left[r, k], out[k]
            for j in range(width):
                out_k[j] += a_r * m_r[j]
        r += 1


@kernel_jit()
def sum_of_rows(rows, out):
    """out (J,) = Σ_r rows_r, overwriting ``out``."""
    for j in range(out.shape[0]):
        out[j] = 0.0
    for r in range(rows.shape[0]):
        row = rows[r]
        for j in range(out.shape[0]):
            out[j] += row[j]
