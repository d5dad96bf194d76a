"""The fused baseline encoder: colour -> subsample -> FDCT -> quantize -> entropy code.

It works one MCU row at a time (8 * max_v image rows), so the samples of a row
are still in cache when their blocks are transformed and coded, and it runs
the very kernels the staged stage functions run (``_color.rgb_to_ycbcr``,
``_subsample.downsample``, ``_dct.fdct_blocks``, ``_quant.quantize_blocks``,
``_entropy.encode_scan``), or at the AVX2 level fused ones tested equal to
them (_forward_simd.h: FDCT + quantize + zigzag mask a block, 4:2:0 colour +
downsampling a row pair; entry points ``forward_blocks`` and
``rgb_to_ycc_420`` for tests/test_simd.py), so both paths write the same bytes.

Everything per MCU row goes through ``encode_rows(frame, work, ..., my0, my1)``,
which takes a range of MCU rows with its own scratch and bit writer: a band
that starts on a restart boundary (restart interval a multiple of the MCUs per
row) can be coded by another thread into its own buffer and the buffers
concatenated; in a scan without restart markers a band is coded apart except
its first MCU (``BandPiece``), and ``BandCoder.append_piece`` joins the bands
at whatever bit position each starts.
"""
import numpy as np
from libc.stdint cimport uint8_t, int16_t, int32_t, int64_t, uint32_t, uint64_t
from libc.stdlib cimport malloc, calloc, free
from libc.string cimport memcpy, memset

from jpeglite._color cimport rgb_to_ycc_row
from jpeglite._subsample cimport downsample_rows
from jpeglite._dct cimport fdct_islow
from jpeglite._quant cimport QuantDivisors, quantize_block, fill_divisors
from jpeglite._huffman cimport (HuffCodes, BitWriter, bw_init, bw_reserve, bw_finish, bw_byte,
                                bw_take_bytes, bw_append, bw_split_tail)
from jpeglite._entropy cimport ScanComp, ZigzagMap, zigzag_map, code_mcu_row, fill_huffcodes, reserve_scan
from jpeglite._simd cimport jl_simd_level, variant_level

# The fused block kernel (FDCT, quantization, zigzag mask): _forward_simd.h.
cdef extern from "_forward_simd.h":
    bint JL_FORWARD_AVX2(int level) noexcept nogil
    void jl_forward_divisors(const QuantDivisors* q, QuantDivisors* paired) noexcept nogil
    uint64_t jl_forward_block_avx2(const uint8_t* src, Py_ssize_t stride, const QuantDivisors* paired,
                                   int16_t* out, const uint8_t* shuf) noexcept nogil
    uint64_t jl_forward_block(const uint8_t* src, Py_ssize_t stride, const QuantDivisors* q,
                              const QuantDivisors* paired, int16_t* out, const int* zz,
                              const uint8_t* shuf, int level) noexcept nogil
    void jl_rgb_ycc_h2v2_row(const uint8_t* rgb0, const uint8_t* rgb1, uint8_t* y0, uint8_t* y1,
                             uint8_t* cb, uint8_t* cr, Py_ssize_t width, Py_ssize_t out_cols,
                             uint8_t* tmp, int level) noexcept nogil


cdef const ZigzagMap* ZZ = zigzag_map()


ctypedef struct EncodeFrame:
    const uint8_t* img
    Py_ssize_t img_stride        # bytes from one image row to the next
    int height, width, channels
    int ncomp, maxv, mcus_x, mcus_y
    int h[3]
    int v[3]
    int hexp[3]
    int vexp[3]
    int wb[3]                    # blocks across holding image data
    int hb[3]                    # blocks down holding image data
    bint h420                    # RGB in, 4:2:0 out (Y 2x2, Cb and Cr 1x1)
    QuantDivisors qd[3]
    QuantDivisors qpaired[3]     # qd in the fused AVX2 kernel's order (jl_forward_divisors)


ctypedef struct Work:            # scratch of one band
    uint8_t* color               # 3 planes of 8 * maxv rows x width (RGB input only)
    uint8_t* comp[3]             # a component's samples of one MCU row: 8v rows x 8wb
    int16_t* blocks[3]           # its quantized blocks: v rows x wb blocks x 64
    uint64_t* masks[3]           # their zigzag non-zero masks (the fused kernel's), v x wb


def geometry(int height, int width, h, v):
    """Frame geometry of libjpeg (jdinput/jcmaster): a dict of ints and per-component lists.

    ``h``, ``v``: sampling factors per component. Returns mcus_x, mcus_y (MCUs
    per row and column of an interleaved scan, or blocks for one component),
    and per component: wb, hb (blocks across/down holding image data, from
    ceil(W * h / (8 * max h))), hexp, vexp (image samples per component
    sample across/down).
    """
    def up(a, b):   # ceil(a / b) for a, b > 0 (C division would truncate)
        return (a + b - 1) // b
    maxh, maxv = max(h), max(v)
    g = {"maxh": maxh, "maxv": maxv,
         "mcus_x": up(width, 8 * maxh), "mcus_y": up(height, 8 * maxv),
         "wb": [up(width * hc, 8 * maxh) for hc in h],
         "hb": [up(height * vc, 8 * maxv) for vc in v],
         "hexp": [maxh // hc for hc in h], "vexp": [maxv // vc for vc in v]}
    return g


cdef int forward_mcu_row(const EncodeFrame* f, Work* wk, int my, int16_t** dst,
                         Py_ssize_t* dst_stride, bint masks) noexcept nogil:
    """Colour-convert, downsample, transform and quantize MCU row `my` into dst.

    With `masks` (only where JL_FORWARD_AVX2), every block goes through the
    fused kernel and its zigzag mask into wk.masks, for code_mcu_row.
    """
    cdef int c, j, bx, rows, y, y0, y1
    cdef Py_ssize_t plane, cols, r
    cdef const uint8_t* src
    cdef Py_ssize_t src_stride, src_row0
    cdef int16_t coef[64]
    cdef uint8_t* out[3]
    cdef Py_ssize_t out_stride[3]
    cdef bint direct[3]
    y0 = my * 8 * f.maxv
    y1 = y0 + 8 * f.maxv
    if y1 > f.height:
        y1 = f.height
    plane = <Py_ssize_t>8 * f.maxv * f.width
    if f.channels == 3:
        # a full-resolution component is converted straight into its block
        # rows (edges padded below) instead of into a plane copied there
        for c in range(3):
            direct[c] = f.hexp[c] == 1 and f.vexp[c] == 1
            out[c] = wk.comp[c] if direct[c] else wk.color + c * plane
            out_stride[c] = 8 * <Py_ssize_t>f.wb[c] if direct[c] else f.width
        if f.h420 and y1 - y0 == 16 and JL_FORWARD_AVX2(jl_simd_level):
            # 4:2:0 inside the image: Cb and Cr averaged 2x2 as they are
            # converted, a pair of rows at a time, straight into their block rows
            for j in range(8):
                y = y0 + 2 * j
                jl_rgb_ycc_h2v2_row(f.img + y * f.img_stride, f.img + (y + 1) * f.img_stride,
                                    out[0] + 2 * j * out_stride[0],
                                    out[0] + (2 * j + 1) * out_stride[0],
                                    wk.comp[1] + j * 8 * <Py_ssize_t>f.wb[1],
                                    wk.comp[2] + j * 8 * <Py_ssize_t>f.wb[2], f.width,
                                    8 * <Py_ssize_t>f.wb[1], wk.color, jl_simd_level)
            direct[1] = direct[2] = True
        else:
            for y in range(y0, y1):
                rgb_to_ycc_row(f.img + y * f.img_stride, out[0] + (y - y0) * out_stride[0],
                               out[1] + (y - y0) * out_stride[1],
                               out[2] + (y - y0) * out_stride[2], f.width)
    for c in range(f.ncomp):
        rows = f.hb[c] - my * f.v[c]
        if rows > f.v[c]:
            rows = f.v[c]
        cols = 8 * <Py_ssize_t>f.wb[c]
        if f.channels == 3 and direct[c] and f.hexp[c] == 2:
            pass    # done by jl_rgb_ycc_h2v2_row, edges included (a whole MCU row)
        elif f.channels == 3 and direct[c]:
            # libjpeg's edges: the last column repeated right, the last row down
            if cols > f.width:
                for r in range(y1 - y0):
                    memset(wk.comp[c] + r * cols + f.width, wk.comp[c][r * cols + f.width - 1],
                           cols - f.width)
            for r in range(y1 - y0, 8 * rows):
                memcpy(wk.comp[c] + r * cols, wk.comp[c] + (y1 - y0 - 1) * cols, cols)
        else:
            if f.channels == 3:
                src = wk.color + c * plane
                src_stride = f.width
                src_row0 = y0
            else:
                src = f.img
                src_stride = f.img_stride
                src_row0 = 0
            downsample_rows(src, src_stride, src_row0, f.height, f.width, wk.comp[c], cols,
                            <Py_ssize_t>my * 8 * f.v[c], <Py_ssize_t>my * 8 * f.v[c] + 8 * rows,
                            cols, f.hexp[c], f.vexp[c])
        if masks:
            for j in range(rows):
                for bx in range(f.wb[c]):
                    wk.masks[c][j * f.wb[c] + bx] = jl_forward_block_avx2(
                        wk.comp[c] + 8 * j * cols + 8 * bx, cols, &f.qpaired[c],
                        dst[c] + j * dst_stride[c] + 64 * bx, ZZ.shuf_fdct)
            continue
        for j in range(rows):
            for bx in range(f.wb[c]):
                fdct_islow(wk.comp[c] + 8 * j * cols + 8 * bx, cols, coef)
                quantize_block(coef, &f.qd[c], dst[c] + j * dst_stride[c] + 64 * bx)
    return 0


cdef enum:
    # int16 elements of one component's first MCU as a band piece keeps it:
    # at most 2 x 2 blocks (the supported samplings), 64 each
    FIRST_MCU = 4 * 64


cdef void save_first_mcu(ScanComp* comps, int ncomp, int16_t* first) noexcept nogil:
    """Copy the blocks of MCU 0 of the row in comps to first (FIRST_MCU per
    component, block (j, i) at (j * h + i) * 64) and set each component's DC
    prediction to what coding that MCU leaves: the DC of its last block
    holding image data (libjpeg's dummy edge blocks repeat it)."""
    cdef int c, j, i, n
    cdef const int16_t* src
    for c in range(ncomp):
        n = comps[c].h if comps[c].h < comps[c].wb else comps[c].wb
        for j in range(comps[c].rows):
            src = comps[c].blocks + j * comps[c].row_stride
            memcpy(first + c * FIRST_MCU + j * comps[c].h * 64, src, n * 64 * sizeof(int16_t))
            comps[c].last_dc = src[64 * (n - 1)]


cdef int encode_rows(const EncodeFrame* f, Work* wk, ScanComp* comps, BitWriter* w,
                     int restart_interval, int my0, int my1, int16_t* first) noexcept nogil:
    """Encode MCU rows my0..my1-1 into w (comps carry the DC predictions). -1: no memory.

    With `first` (FIRST_MCU int16 per component), the band's first MCU is
    not coded but kept there (save_first_mcu), for BandCoder.append_piece
    to code once the DC predictions entering the band are known.
    """
    cdef int my, c, mx0
    cdef Py_ssize_t stride[3]
    cdef bint masks = JL_FORWARD_AVX2(jl_simd_level)
    for c in range(f.ncomp):
        stride[c] = 64 * <Py_ssize_t>f.wb[c]
        comps[c].blocks = wk.blocks[c]
        comps[c].row_stride = stride[c]
        comps[c].masks = wk.masks[c] if masks else NULL
    for my in range(my0, my1):
        forward_mcu_row(f, wk, my, wk.blocks, stride, masks)
        for c in range(f.ncomp):
            comps[c].rows = f.hb[c] - my * f.v[c]
            if comps[c].rows > f.v[c]:
                comps[c].rows = f.v[c]
        mx0 = 0
        if first != NULL and my == my0:
            save_first_mcu(comps, f.ncomp, first)
            mx0 = 1
        if code_mcu_row(w, comps, f.ncomp, mx0, f.mcus_x, <Py_ssize_t>my * f.mcus_x,
                        restart_interval, ZZ) < 0:
            return -1
    return 0


cdef object _setup(EncodeFrame* f, image, h, v, qtables):
    """Fill f from a C-contiguous uint8 image; returns the geometry dict."""
    cdef const uint8_t[::1] flat
    cdef int c
    if not image.flags.c_contiguous or image.dtype != np.uint8 or image.ndim not in (2, 3) \
            or image.shape[0] < 1 or image.shape[1] < 1:
        raise ValueError("image must be a non-empty C-contiguous uint8 array")
    f.height = image.shape[0]
    f.width = image.shape[1]
    f.channels = 1 if image.ndim == 2 else image.shape[2]
    f.ncomp = len(h)
    if f.channels not in (1, 3) or f.ncomp != f.channels or len(v) != f.ncomp \
            or len(qtables) != f.ncomp:
        raise ValueError("1 or 3 components, with h, v and a table for each")
    if f.ncomp == 1 and (h[0], v[0]) != (1, 1):
        raise ValueError("grayscale has 1x1 sampling")
    g = geometry(f.height, f.width, h, v)
    for c in range(f.ncomp):
        if g["hexp"][c] not in (1, 2) or g["vexp"][c] not in (1, 2) \
                or g["maxh"] != g["hexp"][c] * h[c] or g["maxv"] != g["vexp"][c] * v[c] \
                or (g["hexp"][c], g["vexp"][c]) == (1, 2):
            raise ValueError("supported sampling: 4:4:4, 4:2:2, 4:2:0")
        f.h[c] = h[c]
        f.v[c] = v[c]
        f.hexp[c] = g["hexp"][c]
        f.vexp[c] = g["vexp"][c]
        f.wb[c] = g["wb"][c]
        f.hb[c] = g["hb"][c]
        fill_divisors(qtables[c], &f.qd[c])
        jl_forward_divisors(&f.qd[c], &f.qpaired[c])
    f.maxv = g["maxv"]
    f.h420 = f.channels == 3 and list(h) == [2, 1, 1] and list(v) == [2, 1, 1]
    f.mcus_x = g["mcus_x"]
    f.mcus_y = g["mcus_y"]
    flat = image.reshape(-1)
    f.img = &flat[0]
    f.img_stride = <Py_ssize_t>f.width * f.channels
    return g


cdef int _alloc_work(const EncodeFrame* f, Work* wk) except -1:
    cdef int c
    wk.color = NULL
    for c in range(3):
        wk.comp[c] = NULL
        wk.blocks[c] = NULL
        wk.masks[c] = NULL
    if f.channels == 3:
        wk.color = <uint8_t*>malloc(3 * 8 * <size_t>f.maxv * f.width)
        if wk.color == NULL:
            raise MemoryError
    for c in range(f.ncomp):
        wk.comp[c] = <uint8_t*>malloc(64 * <size_t>f.v[c] * f.wb[c])
        wk.blocks[c] = <int16_t*>malloc(64 * sizeof(int16_t) * <size_t>f.v[c] * f.wb[c])
        wk.masks[c] = <uint64_t*>malloc(sizeof(uint64_t) * <size_t>f.v[c] * f.wb[c])
        if wk.comp[c] == NULL or wk.blocks[c] == NULL or wk.masks[c] == NULL:
            raise MemoryError
    return 0


cdef void _free_work(Work* wk):
    cdef int c
    free(wk.color)
    for c in range(3):
        free(wk.comp[c])
        free(wk.blocks[c])
        free(wk.masks[c])


def encode_scan(image, h, v, qtables, dc_tables, ac_tables, int restart_interval=0,
                const uint8_t[::1] head=None, const uint8_t[::1] tail=None):
    """Fused encode of a C-contiguous (H, W) or (H, W, 3) uint8 image; returns the scan bytes.

    ``h``, ``v``: sampling factors per component ((1,), (1,) for grayscale);
    ``qtables[c]``: component c's 64-entry quantization table (natural order);
    ``dc_tables[c]``, ``ac_tables[c]``: its Huffman tables as ``(codes, sizes)``
    (``_huffman.make_codes``); ``restart_interval`` in MCUs (0: none). Returns
    the entropy-coded segment(s), stuffed, padded and with RSTn markers, as
    ``_entropy.encode_scan`` would write them from the staged arrays. The GIL
    is released for the whole image. ``head`` and ``tail`` (bytes): written
    as they are before and after the scan, so that the file's headers and EOI
    take no second copy of a scan of megabytes (each copy of a fresh block
    is a page fault per 4 KB).
    """
    cdef EncodeFrame f
    if not 0 <= restart_interval <= 65535:
        raise ValueError("restart_interval must be in 0..65535")
    _setup(&f, image, h, v, qtables)
    cdef HuffCodes tabs[6]
    cdef ScanComp comps[3]
    cdef int c, rc
    for c in range(f.ncomp):
        fill_huffcodes(dc_tables[c][0], dc_tables[c][1], &tabs[2 * c])
        fill_huffcodes(ac_tables[c][0], ac_tables[c][1], &tabs[2 * c + 1])
        comps[c].h = f.h[c] if f.ncomp > 1 else 1
        comps[c].v = f.v[c] if f.ncomp > 1 else 1
        comps[c].wb = f.wb[c]
        comps[c].last_dc = 0
        comps[c].masks = NULL
        comps[c].dc = &tabs[2 * c]
        comps[c].ac = &tabs[2 * c + 1]
        comps[c].counts = NULL
    cdef Work wk
    cdef BitWriter w
    cdef Py_ssize_t n_head, n_tail
    bw_init(&w)
    try:
        _alloc_work(&f, &wk)
        # expected: 2 bits a pixel (the writer grows past it)
        n_head = head.shape[0] if head is not None else 0
        n_tail = tail.shape[0] if tail is not None else 0
        if n_head:
            if not bw_reserve(&w, n_head):
                raise MemoryError
            memcpy(w.buf, &head[0], n_head)       # the writer's bits start after it
            w.pos = n_head
        # (reserve_scan's room counts from w.pos, past the head)
        if not reserve_scan(&w, comps, f.ncomp, f.mcus_x, f.mcus_y,
                            <Py_ssize_t>f.height * f.width // 4 + 4096):
            raise MemoryError
        with nogil:
            rc = encode_rows(&f, &wk, comps, &w, restart_interval, 0, f.mcus_y, NULL)
            if rc == 0 and bw_reserve(&w, 32 + n_tail):
                bw_finish(&w)
                if n_tail:
                    memcpy(w.buf + w.pos, &tail[0], n_tail)
                    w.pos += n_tail
            else:
                rc = -1
        if rc < 0:
            raise MemoryError("out of memory writing the scan")
        return (<char*>w.buf)[:w.pos] if w.pos else b""
    finally:
        _free_work(&wk)
        free(w.buf)


def forward_blocks(plane, qtable, variant=None):
    """The encoder's block kernel on every 8x8 block of an (8 m, 8 n) uint8
    plane, row by row: FDCT, quantization by ``qtable`` (64 entries, natural
    order) and the zigzag mask of the result (tests). Returns ((m n, 64)
    int16 quantized blocks in natural order, (m n,) uint64 masks, bit k for
    a non-zero AC coefficient at zigzag position k). ``variant``: the SIMD
    variant (one of ``_simd.available_variants()``; None: the one the encoder
    runs); "avx2" is the fused kernel, the others its stage kernels in turn.
    """
    cdef int level = variant_level(variant)
    cdef const uint8_t[:, ::1] src = np.ascontiguousarray(plane, dtype=np.uint8)
    cdef Py_ssize_t rows = src.shape[0], cols = src.shape[1], by, bx, i
    if rows % 8 or cols % 8 or rows == 0 or cols == 0:
        raise ValueError("plane must be a non-empty multiple of 8 rows and columns")
    cdef QuantDivisors q, paired
    fill_divisors(qtable, &q)
    jl_forward_divisors(&q, &paired)
    blocks = np.empty((rows // 8 * (cols // 8), 64), dtype=np.int16)
    masks = np.empty(rows // 8 * (cols // 8), dtype=np.uint64)
    cdef int16_t[:, ::1] b = blocks
    cdef uint64_t[::1] m = masks
    with nogil:
        i = 0
        for by in range(rows // 8):
            for bx in range(cols // 8):
                m[i] = jl_forward_block(&src[8 * by, 8 * bx], cols, &q, &paired, &b[i, 0],
                                        ZZ.zz, ZZ.shuf_fdct, level)
                i += 1
    return blocks, masks


def rgb_to_ycc_420(image, variant=None):
    """The encoder's colour row for 4:2:0 on an (2 k, W, 3) uint8 RGB image
    (tests): (Y (2 k, W), Cb (k, C), Cr (k, C)) uint8, C = 8 ceil(W / 16),
    each chroma sample the 2x2 average of the converted samples with the
    right edge replicated (``_color.rgb_to_ycbcr`` then
    ``_subsample.downsample``). ``variant``: the SIMD variant (one of
    ``_simd.available_variants()``; None: the one the encoder runs)."""
    cdef int level = variant_level(variant)
    cdef const uint8_t[:, :, ::1] src = np.ascontiguousarray(image, dtype=np.uint8)
    cdef Py_ssize_t rows = src.shape[0], width = src.shape[1], cols, j
    if rows % 2 or rows == 0 or width == 0 or src.shape[2] != 3:
        raise ValueError("image must be (2 k, W, 3), k, W >= 1")
    cols = 8 * ((width + 15) // 16)
    y = np.empty((rows, width), dtype=np.uint8)
    cb = np.empty((rows // 2, cols), dtype=np.uint8)
    cr = np.empty((rows // 2, cols), dtype=np.uint8)
    tmp = np.empty(4 * width, dtype=np.uint8)
    cdef uint8_t[:, ::1] yv = y, cbv = cb, crv = cr
    cdef uint8_t[::1] t = tmp
    with nogil:
        for j in range(rows // 2):
            jl_rgb_ycc_h2v2_row(&src[2 * j, 0, 0], &src[2 * j + 1, 0, 0], &yv[2 * j, 0],
                                &yv[2 * j + 1, 0], &cbv[j, 0], &crv[j, 0], width, cols, &t[0],
                                level)
    return y, cb, cr


def forward(image, h, v, qtables):
    """Fused colour -> quantize for the whole image, one MCU row at a time.

    Same arguments as ``encode_scan``; returns one (hb, wb, 64) int16 array of
    quantized blocks (natural order) per component, equal to what the staged
    stages produce. The two-pass ``optimize=True`` encode counts symbols over
    these and then codes them with ``_entropy.encode_scan``.
    """
    cdef EncodeFrame f
    _setup(&f, image, h, v, qtables)
    out = [np.empty((f.hb[c], f.wb[c], 64), dtype=np.int16) for c in range(f.ncomp)]
    cdef int16_t* dst[3]
    cdef int16_t* base[3]
    cdef Py_ssize_t stride[3]
    cdef int16_t[:, :, ::1] view
    cdef int c, my
    for c in range(f.ncomp):
        view = out[c]
        base[c] = &view[0, 0, 0]
        stride[c] = 64 * <Py_ssize_t>f.wb[c]
    cdef Work wk
    try:
        _alloc_work(&f, &wk)
        with nogil:
            for my in range(f.mcus_y):
                for c in range(f.ncomp):
                    dst[c] = base[c] + my * f.v[c] * stride[c]
                forward_mcu_row(&f, &wk, my, dst, stride, False)
        return out
    finally:
        _free_work(&wk)


cdef class BandPiece:
    """MCU rows my0..my1-1 of a scan without restart markers, entropy-coded on
    their own by ``BandCoder.encode_piece`` except for the band's first MCU.

    The first MCU's DC differences need the DC predictions entering the band
    (the last DCs of the band before), known only once that band is done, so
    its blocks are kept (a few hundred bytes) and ``append_piece`` codes them
    in band order; every other bit of the band is final. ``body``: the
    coded MCUs after the first, whole bytes, stuffed, as if the band started
    on a byte boundary; ``tail``: the ``tail_bits`` (0..7) bits after them,
    right-aligned. ``append_piece`` shifts them to wherever the band starts.
    """
    cdef readonly int my0, my1
    cdef readonly bytes body
    cdef readonly int tail, tail_bits
    cdef int16_t first[3 * FIRST_MCU]
    cdef int rows[3]                 # block rows of the first MCU holding image data
    cdef int last_dc[3]              # DC predictions leaving the band


cdef class BandCoder:
    """One frame's encoder state, cut into MCU-row bands that threads can share.

    The methods release the GIL for their whole band and touch only their own
    scratch, the band's output and (``code``/``finish``) the one serial bit
    writer, so a thread pool can run ``forward``, ``count`` and
    ``encode_segment``/``code_segment`` of different bands at the same time;
    ``code`` calls must come one at a time, in band order. Arguments of the
    constructor as for ``encode_scan`` (without the Huffman tables, which
    ``set_tables`` gives once the optimize pass has counted the symbols).

    A band's blocks live in arrays from ``band_arrays(my0, my1)``: per
    component (block rows of MCU rows my0..my1-1, wb, 64) int16, natural
    order, as ``forward`` returns them for the whole image.
    """
    cdef EncodeFrame f
    cdef HuffCodes tabs[6]
    cdef ScanComp comps[3]       # the serial chain's DC predictions live here
    cdef BitWriter w             # the serial chain's writer
    cdef bint have_tables
    cdef int next_row            # the MCU row append_piece takes next
    cdef object image            # keeps the pixels alive
    cdef readonly int mcus_x, mcus_y, ncomp, restart_interval

    def __cinit__(self):
        bw_init(&self.w)
        self.have_tables = False

    def __init__(self, image, h, v, qtables, int restart_interval=0):
        if not 0 <= restart_interval <= 65535:
            raise ValueError("restart_interval must be in 0..65535")
        _setup(&self.f, image, h, v, qtables)
        self.image = image
        self.mcus_x = self.f.mcus_x
        self.mcus_y = self.f.mcus_y
        self.ncomp = self.f.ncomp
        self.restart_interval = restart_interval

    def __dealloc__(self):
        free(self.w.buf)

    @property
    def v_factors(self):
        """Vertical sampling factor per component (block rows per MCU row)."""
        return [self.f.v[c] for c in range(self.f.ncomp)]

    @property
    def samples_per_mcu_row(self):
        """Samples of all components in one MCU row (block-padded)."""
        return sum(64 * self.f.v[c] * self.f.wb[c] for c in range(self.f.ncomp))

    def set_tables(self, dc_tables, ac_tables):
        """Huffman tables per component as ``(codes, sizes)``; resets the serial writer."""
        cdef int c
        for c in range(self.f.ncomp):
            fill_huffcodes(dc_tables[c][0], dc_tables[c][1], &self.tabs[2 * c])
            fill_huffcodes(ac_tables[c][0], ac_tables[c][1], &self.tabs[2 * c + 1])
        self._init_comps(self.comps, NULL)
        free(self.w.buf)
        bw_init(&self.w)
        self.next_row = 0
        self.have_tables = True

    cdef void _init_comps(self, ScanComp* comps, int64_t* counts):
        cdef int c
        for c in range(self.f.ncomp):
            comps[c].h = self.f.h[c]
            comps[c].v = self.f.v[c]
            comps[c].wb = self.f.wb[c]
            comps[c].last_dc = 0
            comps[c].masks = NULL
            comps[c].dc = &self.tabs[2 * c]
            comps[c].ac = &self.tabs[2 * c + 1]
            comps[c].counts = counts + 512 * c if counts != NULL else NULL
            comps[c].row_stride = 64 * <Py_ssize_t>self.f.wb[c]

    cdef int _check_rows(self, int my0, int my1) except -1:
        if not 0 <= my0 < my1 <= self.f.mcus_y:
            raise ValueError(f"MCU rows {my0}..{my1} outside 0..{self.f.mcus_y}")
        return 0

    cdef int _rows_of(self, int c, int my0, int my1):
        cdef int r1 = my1 * self.f.v[c]
        if r1 > self.f.hb[c]:
            r1 = self.f.hb[c]
        return r1 - my0 * self.f.v[c]

    def rows_of(self, int c, int my0, int my1):
        """Block rows of component c in MCU rows my0..my1-1 (fewer at the bottom edge)."""
        if not 0 <= c < self.f.ncomp:
            raise ValueError("no such component")
        self._check_rows(my0, my1)
        return self._rows_of(c, my0, my1)

    def band_arrays(self, int my0, int my1):
        """Uninitialised block arrays for MCU rows my0..my1-1 (see the class docstring)."""
        self._check_rows(my0, my1)
        return [np.empty((self._rows_of(c, my0, my1), self.f.wb[c], 64), dtype=np.int16)
                for c in range(self.f.ncomp)]

    cdef int _bases(self, list blocks, int base_my, int my0, int my1,
                    int16_t** base) except -1:
        """Pointers to each component's first block of MCU row base_my in blocks."""
        cdef int16_t[:, :, ::1] view
        cdef int c
        self._check_rows(my0, my1)
        if len(blocks) != self.f.ncomp or not 0 <= base_my <= my0:
            raise ValueError("one block array per component, starting at or before my0")
        for c in range(self.f.ncomp):
            view = blocks[c]
            if view.shape[1] != self.f.wb[c] or view.shape[2] != 64 \
                    or view.shape[0] < self._rows_of(c, base_my, my1):
                raise ValueError(f"component {c}: block array does not hold MCU rows "
                                 f"{base_my}..{my1}")
            base[c] = &view[0, 0, 0]
        return 0

    def forward(self, list blocks, int my0, int my1, int base_my=0):
        """Colour -> quantize MCU rows my0..my1-1 into blocks (whose first row is MCU row base_my)."""
        cdef int16_t* base[3]
        cdef int16_t* dst[3]
        cdef Py_ssize_t stride[3]
        cdef int c, my
        cdef Work wk
        self._bases(blocks, base_my, my0, my1, base)
        for c in range(self.f.ncomp):
            stride[c] = 64 * <Py_ssize_t>self.f.wb[c]
        try:
            _alloc_work(&self.f, &wk)
            with nogil:
                for my in range(my0, my1):
                    for c in range(self.f.ncomp):
                        dst[c] = base[c] + (my - base_my) * self.f.v[c] * stride[c]
                    forward_mcu_row(&self.f, &wk, my, dst, stride, False)
        finally:
            _free_work(&wk)

    cdef int _code(self, BitWriter* w, ScanComp* comps, int16_t** base, int base_my,
                   int my0, int my1) noexcept nogil:
        cdef int my, c
        for my in range(my0, my1):
            for c in range(self.f.ncomp):
                comps[c].blocks = base[c] + (my - base_my) * self.f.v[c] * comps[c].row_stride
                comps[c].rows = self.f.hb[c] - my * self.f.v[c]
                if comps[c].rows > self.f.v[c]:
                    comps[c].rows = self.f.v[c]
            if code_mcu_row(w, comps, self.f.ncomp, 0, self.f.mcus_x, <Py_ssize_t>my * self.f.mcus_x,
                            self.restart_interval, ZZ) < 0:
                return -1
        return 0

    def count(self, list blocks, int my0, int my1, int base_my=0):
        """Symbol counts (components, 2, 256) int64 of MCU rows my0..my1-1, DC predicted from 0.

        The first DC difference of each component is taken against 0; the
        caller corrects it when my0 does not start a restart interval.
        """
        cdef int16_t* base[3]
        cdef ScanComp comps[3]
        self._bases(blocks, base_my, my0, my1, base)
        counts = np.zeros((self.f.ncomp, 2, 256), dtype=np.int64)
        cdef int64_t[:, :, ::1] cv = counts
        self._init_comps(comps, &cv[0, 0, 0])
        with nogil:
            self._code(NULL, comps, base, base_my, my0, my1)
        return counts

    cdef int _need_tables(self) except -1:
        if not self.have_tables:
            raise ValueError("set_tables first")
        return 0

    def code(self, list blocks, int my0, int my1, int base_my=0):
        """Append MCU rows my0..my1-1 to the serial scan (bands in order, one call at a time)."""
        cdef int16_t* base[3]
        cdef int rc
        self._need_tables()
        self._bases(blocks, base_my, my0, my1, base)
        with nogil:
            rc = self._code(&self.w, self.comps, base, base_my, my0, my1)
        if rc < 0:
            raise MemoryError("out of memory writing the scan")

    def finish(self):
        """The serial scan's bytes, padded (call after the last ``code``)."""
        return bw_take_bytes(&self.w)

    def code_piece(self, list blocks, int my0, int my1, int base_my, last_dc, int phase):
        """MCU rows my0..my1-1 coded as a piece of the scan that starts ``phase`` (0..7) bits into a byte.

        ``last_dc``: each component's DC prediction at my0 (the DC of the
        last block coded before). Only for scans without restart markers.
        Returns (body, tail, tail_bits): ``body`` the stuffed whole bytes,
        its first byte holding ``phase`` leading zero bits that belong to the
        piece before (so it can never be 0xFF alone); ``tail`` the last
        ``tail_bits`` (0..7) bits, left-aligned in a byte, not yet written.
        A piece whose bits do not reach a whole byte has an empty body.
        """
        cdef int16_t* base[3]
        cdef ScanComp comps[3]
        cdef BitWriter w
        cdef int rc, c, nvalid
        cdef uint8_t tail
        self._need_tables()
        if self.restart_interval:
            raise ValueError("pieces are for scans without restart markers")
        if not 0 <= phase <= 7 or len(last_dc) != self.f.ncomp:
            raise ValueError("phase 0..7 and one DC prediction per component")
        self._bases(blocks, base_my, my0, my1, base)
        self._init_comps(comps, NULL)
        for c in range(self.f.ncomp):
            comps[c].last_dc = last_dc[c]
        bw_init(&w)
        w.free = 64 - phase
        try:
            with nogil:
                rc = self._code(&w, comps, base, base_my, my0, my1)
                if rc == 0 and bw_reserve(&w, 16):
                    # two statements: C leaves the order of a shift's operands
                    # open, and the shift count needs the nvalid the call sets
                    tail = <uint8_t>bw_split_tail(&w, &nvalid)
                    tail = <uint8_t>(tail << (8 - nvalid))
                else:
                    rc = -1
            if rc < 0:
                raise MemoryError("out of memory writing the scan")
            return ((<char*>w.buf)[:w.pos] if w.pos else b""), tail, nvalid
        finally:
            free(w.buf)

    cdef int _check_segment(self, int my0) except -1:
        if my0 and (self.restart_interval == 0
                    or (<Py_ssize_t>my0 * self.f.mcus_x) % self.restart_interval):
            raise ValueError(f"MCU row {my0} does not start a restart interval")
        return 0

    def code_segment(self, list blocks, int my0, int my1, int base_my=0):
        """Bytes of MCU rows my0..my1-1 coded alone; my0 must start a restart interval.

        The bytes open with the RSTn marker (unless my0 == 0) and end padded,
        so the segments of consecutive bands, concatenated, equal the serial scan.
        """
        cdef int16_t* base[3]
        cdef ScanComp comps[3]
        cdef BitWriter w
        cdef int rc
        self._need_tables()
        self._check_segment(my0)
        self._bases(blocks, base_my, my0, my1, base)
        self._init_comps(comps, NULL)
        bw_init(&w)
        with nogil:
            rc = self._code(&w, comps, base, base_my, my0, my1)
        if rc < 0:
            free(w.buf)
            raise MemoryError("out of memory writing the scan")
        return bw_take_bytes(&w)

    def encode_segment(self, int my0, int my1):
        """Fused colour -> entropy coding of MCU rows my0..my1-1 alone, as ``code_segment``."""
        cdef ScanComp comps[3]
        cdef BitWriter w
        cdef Work wk
        cdef int rc
        self._need_tables()
        self._check_rows(my0, my1)
        self._check_segment(my0)
        self._init_comps(comps, NULL)
        bw_init(&w)
        try:
            _alloc_work(&self.f, &wk)
            with nogil:
                rc = encode_rows(&self.f, &wk, comps, &w, self.restart_interval, my0, my1, NULL)
            if rc < 0:
                raise MemoryError("out of memory writing the scan")
            return bw_take_bytes(&w)
        finally:
            _free_work(&wk)
            free(w.buf)

    def encode_piece(self, int my0, int my1):
        """Fused colour -> entropy coding of MCU rows my0..my1-1 as a ``BandPiece``.

        For scans without restart markers: pieces of consecutive bands can
        be coded by different threads at the same time, then joined in order
        by ``append_piece`` into bytes equal to the serial coder's.
        """
        cdef ScanComp comps[3]
        cdef BitWriter w
        cdef Work wk
        cdef int rc, c, nbits = 0
        cdef uint32_t tail = 0
        cdef BandPiece p = BandPiece()
        self._need_tables()
        self._check_rows(my0, my1)
        if self.restart_interval:
            raise ValueError("pieces are for scans without restart markers")
        self._init_comps(comps, NULL)
        bw_init(&w)
        try:
            _alloc_work(&self.f, &wk)
            with nogil:
                rc = encode_rows(&self.f, &wk, comps, &w, 0, my0, my1, p.first)
                if rc == 0 and bw_reserve(&w, 16):
                    tail = bw_split_tail(&w, &nbits)
                else:
                    rc = -1
            if rc < 0:
                raise MemoryError("out of memory writing the scan")
            p.body = (<char*>w.buf)[:w.pos] if w.pos else b""
        finally:
            _free_work(&wk)
            free(w.buf)
        p.my0, p.my1, p.tail, p.tail_bits = my0, my1, tail, nbits
        for c in range(self.f.ncomp):
            p.rows[c] = min(self.f.v[c], self.f.hb[c] - my0 * self.f.v[c])
            p.last_dc[c] = comps[c].last_dc
        return p

    def append_piece(self, BandPiece p):
        """Append a band's piece to the serial scan: its first MCU coded with the
        DC predictions the bands before left, then its bits, shifted to the bit
        position it starts at and stuffed again. Pieces go in band order (the
        first starts at MCU row 0, each the row after the one before); the
        scan's bytes come from ``finish``."""
        cdef ScanComp comps[3]
        cdef int c, rc
        cdef const uint8_t* src = NULL
        cdef Py_ssize_t n = len(p.body)
        self._need_tables()
        if self.restart_interval:
            raise ValueError("pieces are for scans without restart markers")
        if p.my0 != self.next_row or p.my1 > self.f.mcus_y:
            raise ValueError(f"piece of MCU rows {p.my0}..{p.my1} out of order "
                             f"(the next starts at row {self.next_row})")
        if n:
            src = <const uint8_t*><const char*>p.body
        for c in range(self.f.ncomp):
            comps[c] = self.comps[c]
            comps[c].blocks = &p.first[c * FIRST_MCU]
            comps[c].row_stride = 64 * comps[c].h
            comps[c].rows = p.rows[c]
        with nogil:
            rc = code_mcu_row(&self.w, comps, self.f.ncomp, 0, 1,
                              <Py_ssize_t>p.my0 * self.f.mcus_x, 0, ZZ)
            if rc == 0 and bw_reserve(&self.w, 2 * n + 16):
                bw_append(&self.w, src, n, p.tail, p.tail_bits)
            else:
                rc = -1
        if rc < 0:
            raise MemoryError("out of memory writing the scan")
        for c in range(self.f.ncomp):
            self.comps[c].last_dc = p.last_dc[c]
        self.next_row = p.my1
