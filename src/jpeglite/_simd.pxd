# The SIMD levels of _simd.h (the convention is described there), and the
# check every kernel module's `variant=` argument goes through.

cdef extern from "_simd.h":
    enum:
        JL_SIMD_SCALAR
        JL_SIMD_SSE2
        JL_SIMD_AVX2
        JL_SIMD_NLEVELS
    const char* const jl_simd_names[]
    int jl_simd_level            # the level the drivers run (per module, all equal)
    int jl_simd_cpu_level() noexcept nogil
    int jl_simd_level_of(const char* name) noexcept nogil


cdef inline int variant_level(variant) except -1:
    """The level of `variant` (None: the one this process selected), or a
    ValueError when it names no variant this machine can run."""
    cdef int level, i
    if variant is None:
        return jl_simd_level
    if not isinstance(variant, str):
        raise TypeError(f"variant must be a str or None, not {type(variant).__name__}")
    level = jl_simd_level_of(variant.encode("ascii", "replace"))
    if level < 0 or level > jl_simd_cpu_level():
        names = []
        for i in range(jl_simd_cpu_level() + 1):
            names.append(repr(jl_simd_names[i].decode()))
        raise ValueError(f"variant {variant!r} is not available here; available: "
                         + ", ".join(names))
    return level
