/* The SIMD convention of every kernel (encode and decode alike).
 *
 * Each stage has one header, _<stage>_simd.h (_color, _subsample, _dct,
 * _quant, _entropy; _forward: the encoder's kernels fusing several stages,
 * built from theirs), holding per kernel, side by side, as plain C:
 *   - jl_<kernel>_scalar: the portable reference, the definition of the
 *     result (it is what JL_NO_SIMD builds and non-x86 machines run);
 *   - jl_<kernel>_sse2 (and later _avx2, ...): the same integers, faster;
 *   - jl_<kernel>(..., int level): runs the variant of that level, one
 *     decision per row or per block, never per sample.
 * The Cython .pxd files expose jl_<kernel>(..., jl_simd_level) under the
 * names the drivers use, and the .pyx entry points take `variant=` ("scalar",
 * "sse2", ...) so that tests/test_simd.py runs every variant this machine
 * has against the scalar one in the default test run.
 *
 * Levels. JL_SSE2 says whether the SSE2 kernels are compiled: SSE2 is part of
 * every x86-64 CPU, so they need no compiler flag and no run-time check.
 * CFLAGS=-DJL_NO_SIMD compiles the scalar kernels alone (how a non-x86 build
 * is tried on x86-64). jl_simd_level, the level the drivers run, starts at the
 * best level the build guarantees; where the compiler runs constructors
 * (GCC, Clang) it is set when the module loads to the best level the CPU
 * offers (jl_simd_cpu_level), lowered by the environment variable
 * JPEGLITE_SIMD=scalar|sse2|avx2 (benchmarks, bisecting a suspected SIMD bug).
 * AVX2: the kernels are compiled per function with JL_TARGET_AVX2
 * (__attribute__((target("avx2"))), never -march=native: wheels run
 * anywhere), so only they contain AVX2 encodings; JL_AVX2 says they exist
 * (GCC and Clang on x86; -DJL_NO_AVX2 leaves them out), and
 * jl_simd_cpu_level offers the level when CPUID says the CPU has AVX2 and
 * the OS saves the YMM registers (OSXSAVE, XCR0). An AVX2 kernel is a call,
 * never inlined into its caller (the caller is not compiled for AVX2), so
 * each one does a row or a block per call.
 *
 * Every translation unit (each Cython module) has its own copy of
 * jl_simd_level; all are set by the same rule, so they agree. */
#ifndef JPEGLITE_SIMD_H
#define JPEGLITE_SIMD_H

#include <stdlib.h>
#include <string.h>

#define JL_SIMD_SCALAR 0
#define JL_SIMD_SSE2 1
#define JL_SIMD_AVX2 2
#define JL_SIMD_NLEVELS 3

#if (defined(__SSE2__) || defined(_M_X64) || (defined(_M_IX86_FP) && _M_IX86_FP >= 2)) \
    && !defined(JL_NO_SIMD)
#define JL_SSE2 1
#include <emmintrin.h>
#else
#define JL_SSE2 0
#endif

/* AVX2 where the compiler takes per-function targets (GCC, Clang on x86). */
#if JL_SSE2 && (defined(__GNUC__) || defined(__clang__)) \
    && (defined(__x86_64__) || defined(__i386__)) && !defined(JL_NO_AVX2)
#define JL_AVX2 1
#define JL_TARGET_AVX2 __attribute__((target("avx2")))
#include <cpuid.h>
#include <immintrin.h>
#else
#define JL_AVX2 0
#endif

#if defined(__GNUC__) || defined(__clang__)
#define JL_RESTRICT __restrict__
#elif defined(_MSC_VER)
#define JL_RESTRICT __restrict
#else
#define JL_RESTRICT
#endif

/* The names of the levels, as Python passes them (`variant=`). */
static const char *const jl_simd_names[JL_SIMD_NLEVELS] = {"scalar", "sse2", "avx2"};

#if JL_AVX2
/* CPUID.7.0:EBX bit 5 (AVX2), with CPUID.1:ECX bits 27 (OSXSAVE: XGETBV
 * works) and 28 (AVX), and XCR0 bits 1 and 2: the OS saves the XMM and YMM
 * state on a context switch (without that, AVX2 code faults or corrupts). */
static inline int jl_cpu_has_avx2(void)
{
    unsigned a, b, c, d, xcr0_lo, xcr0_hi;
    if (__get_cpuid_max(0, 0) < 7)
        return 0;
    __cpuid(1, a, b, c, d);
    if (!(c & (1u << 27)) || !(c & (1u << 28)))
        return 0;
    /* xgetbv as an instruction: its intrinsic wants -mxsave */
    __asm__("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
    (void)xcr0_hi;
    if ((xcr0_lo & 6u) != 6u)
        return 0;
    __cpuid_count(7, 0, a, b, c, d);
    return (b >> 5) & 1u;
}
#endif

/* The best level this build and this CPU can run (the CPU is asked once). */
static inline int jl_simd_cpu_level(void)
{
    int level = JL_SIMD_SCALAR;
#if JL_SSE2
    level = JL_SIMD_SSE2;
#endif
#if JL_AVX2
    {
        static int has_avx2 = -1;
        if (has_avx2 < 0)
            has_avx2 = jl_cpu_has_avx2();
        if (has_avx2)
            level = JL_SIMD_AVX2;
    }
#endif
    return level;
}

/* The level of the named variant, or -1 for an unknown name. */
static inline int jl_simd_level_of(const char *name)
{
    int i;
    for (i = 0; i < JL_SIMD_NLEVELS; i++)
        if (strcmp(name, jl_simd_names[i]) == 0)
            return i;
    return -1;
}

#if JL_SSE2
static int jl_simd_level = JL_SIMD_SSE2;
#else
static int jl_simd_level = JL_SIMD_SCALAR;
#endif

#if defined(__GNUC__) || defined(__clang__)
__attribute__((constructor)) static void jl_simd_select(void)
{
    const char *cap = getenv("JPEGLITE_SIMD");
    int level = jl_simd_cpu_level(), capped = cap && *cap ? jl_simd_level_of(cap) : -1;
    jl_simd_level = capped >= 0 && capped < level ? capped : level;
}
#endif

#if JL_SSE2
/* Transpose the 8x8 int16 matrix whose rows are r[0..7], in place (the
 * FDCT and IDCT run their column pass as a row pass between two of these). */
static inline void jl_transpose8x16(__m128i *r)
{
    __m128i a0 = _mm_unpacklo_epi16(r[0], r[1]), a1 = _mm_unpackhi_epi16(r[0], r[1]);
    __m128i a2 = _mm_unpacklo_epi16(r[2], r[3]), a3 = _mm_unpackhi_epi16(r[2], r[3]);
    __m128i a4 = _mm_unpacklo_epi16(r[4], r[5]), a5 = _mm_unpackhi_epi16(r[4], r[5]);
    __m128i a6 = _mm_unpacklo_epi16(r[6], r[7]), a7 = _mm_unpackhi_epi16(r[6], r[7]);
    __m128i b0 = _mm_unpacklo_epi32(a0, a2), b1 = _mm_unpackhi_epi32(a0, a2);
    __m128i b2 = _mm_unpacklo_epi32(a1, a3), b3 = _mm_unpackhi_epi32(a1, a3);
    __m128i b4 = _mm_unpacklo_epi32(a4, a6), b5 = _mm_unpackhi_epi32(a4, a6);
    __m128i b6 = _mm_unpacklo_epi32(a5, a7), b7 = _mm_unpackhi_epi32(a5, a7);
    r[0] = _mm_unpacklo_epi64(b0, b4); r[1] = _mm_unpackhi_epi64(b0, b4);
    r[2] = _mm_unpacklo_epi64(b1, b5); r[3] = _mm_unpackhi_epi64(b1, b5);
    r[4] = _mm_unpacklo_epi64(b2, b6); r[5] = _mm_unpackhi_epi64(b2, b6);
    r[6] = _mm_unpacklo_epi64(b3, b7); r[7] = _mm_unpackhi_epi64(b3, b7);
}
#endif

#endif
