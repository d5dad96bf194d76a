/* Whether the SSE2 kernels are compiled: one switch for every module.
 *
 * SSE2 is part of every x86-64 CPU (and of 32-bit x86 built for it), so the
 * kernels need no special compiler flag. Building with -DJL_NO_SIMD
 * (CFLAGS=-DJL_NO_SIMD) compiles the portable scalar paths instead, which is
 * how they are tested on x86-64. */
#ifndef JPEGLITE_SIMD_H
#define JPEGLITE_SIMD_H

#if (defined(__SSE2__) || defined(_M_X64) || (defined(_M_IX86_FP) && _M_IX86_FP >= 2)) \
    && !defined(JL_NO_SIMD)
#define JL_SSE2 1
#include <emmintrin.h>
#else
#define JL_SSE2 0
#endif

#endif
