/* The fixed-point constants of the accurate integer ("islow") 8x8 DCT, in one
 * place for the forward and inverse transforms, scalar and SSE2 alike.
 * From libjpeg's jfdctint.c / jidctint.c: FIX(x) = round(x * 2**13), with
 * PASS1_BITS extra bits of precision kept between the two passes.
 * The C kernels (_dct_simd.h) include this file. */
#ifndef JPEGLITE_ISLOW_H
#define JPEGLITE_ISLOW_H

#define ISLOW_CONST_BITS 13
#define ISLOW_PASS1_BITS 2

#define ISLOW_FIX_0_298631336 2446
#define ISLOW_FIX_0_390180644 3196
#define ISLOW_FIX_0_541196100 4433
#define ISLOW_FIX_0_765366865 6270
#define ISLOW_FIX_0_899976223 7373
#define ISLOW_FIX_1_175875602 9633
#define ISLOW_FIX_1_501321110 12299
#define ISLOW_FIX_1_847759065 15137
#define ISLOW_FIX_1_961570560 16069
#define ISLOW_FIX_2_053119869 16819
#define ISLOW_FIX_2_562915447 20995
#define ISLOW_FIX_3_072711026 25172

#endif
