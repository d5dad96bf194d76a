# Per-block DCT kernels, cdef inline so the fused drivers inline them.

# ==== encode: forward DCT ====
from libc.stdint cimport uint8_t, int16_t

from jpeglite._simd cimport jl_simd_level

# The kernels, scalar, SSE2 and AVX2 side by side, are C: _dct_simd.h (their
# constants: _islow.h).
cdef extern from "_dct_simd.h":
    void jl_fdct_islow(int16_t* d, int level) noexcept nogil
    void jl_fdct_islow_u8(const uint8_t* src, Py_ssize_t stride, int16_t* d, int level) noexcept nogil
    void jl_idct_islow(const int16_t* coef, const int16_t* quant, uint8_t* out,
                       Py_ssize_t stride, int level) noexcept nogil
    void jl_idct_scaled(const int16_t* coef, const int16_t* quant, uint8_t* out,
                        Py_ssize_t stride, int size, int level) noexcept nogil
    void jl_idct_islow_row(int16_t* coef, const int16_t* quant, uint8_t* out,
                           Py_ssize_t stride, int n, int clear, int level) noexcept nogil


cdef inline void fdct_islow(const uint8_t* src, Py_ssize_t stride, int16_t* d) noexcept nogil:
    """Forward 8x8 DCT of the samples at src (rows `stride` bytes apart),
    level-shifted by -128 (T.81 A.3.1), into d: libjpeg's accurate integer
    algorithm, bit-exact with jfdctint.c (jl_fdct_islow_u8 in _dct_simd.h,
    the variant this process selected; the AVX2 one shifts the rows as it
    loads them). Output is the T.81 A.3.3 FDCT scaled up by 8 (quantization
    divides by 8 x Q); for 8-bit samples every output fits 16 bits."""
    jl_fdct_islow_u8(src, stride, d, jl_simd_level)

# ==== end encode: forward DCT ====


# ==== decode: inverse DCT ====
from libc.stdint cimport uint8_t, int16_t


cdef inline void idct_islow_row(int16_t* coef, const int16_t* quant, uint8_t* out,
                                Py_ssize_t stride, int n, bint clear) noexcept nogil:
    """Dequantize and inverse-transform n 8x8 blocks side by side (coef: n
    blocks of 64, natural order) into 8 rows of 8 n samples at out, out +
    stride, ...: libjpeg's islow IDCT in the arithmetic of libjpeg-turbo's
    SIMD code, which Pillow runs (jl_idct_islow_row in _dct_simd.h, the
    variant this process selected; one dispatch a row). clear: each block's
    coefficients zeroed after its IDCT."""
    jl_idct_islow_row(coef, quant, out, stride, n, clear, jl_simd_level)

# ==== end decode: inverse DCT ====
