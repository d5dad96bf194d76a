"""Which SIMD variants of the kernels this build and this CPU run (see _simd.h)."""


def available_variants():
    """The kernel variants this machine can run, scalar reference first, as a
    tuple of names ("scalar", "sse2", ...): what the kernel modules' `variant=`
    arguments accept."""
    return tuple(jl_simd_names[i].decode() for i in range(jl_simd_cpu_level() + 1))


def selected_variant():
    """The variant the encoder and decoder run in this process: the best one
    available, or a lower one chosen with the JPEGLITE_SIMD environment
    variable when the module was loaded."""
    return jl_simd_names[jl_simd_level].decode()
