"""The decode drivers: entropy decoding, IDCT, upsampling and colour conversion
over the stage kernels, one MCU-row band at a time, without the GIL.

Python (api.py) parses the markers and calls, per image, either
`decode_single_scan` (the fused path: a sequential file whose one scan holds
every component is decoded MCU row by MCU row, coefficients only ever existing
for one band) or `decode_scan` once per scan into whole-image coefficient
arrays and then `reconstruct` (progressive and multi-scan files, which need
every scan before any pixel is final).  Neither loops over blocks, rows or
MCUs in Python.  The band functions (`idct_band`, `color_band`) touch only
their own band's rows (colour reads one decoded row past its band for the
triangular filters), so bands run on threads (`threads` > 1):

- single scan: the calling thread entropy-decodes chunk k + 1 (a few MCU
  rows) into one of two coefficient buffers while a pool thread inverse-
  transforms chunk k from the other and then upsamples and colour-converts
  its bands, which the calling thread joins in when it is done first;
  without restart markers another pool thread decodes the second half of
  the data speculatively, kept from where both decoders meet at an MCU
  start (_SingleScan.try_sync);
- whole-image coefficients (progressive): parts of the image, each
  inverse-transformed into its own slab and colour-converted, in parallel;
- restart markers: chunks that start at a restart marker are entropy-decoded
  (and transformed) in parallel, the bands at chunk edges coloured last.

The work each band gets is the same whatever the thread count, so the pixels
are too.
"""
cimport cython
from libc.stdint cimport uint8_t, int16_t, int32_t, uint32_t, int64_t
from libc.string cimport memset, memchr, memmove, memcpy
from libc.stdlib cimport malloc, free
from cpython.mem cimport PyMem_RawMalloc, PyMem_RawCalloc, PyMem_RawFree

from math import gcd

import numpy as np

from jpeglite._huffman cimport HuffDecodeTable, BitReader, br_init, br_bit_position
from jpeglite._entropy cimport (ScanState, ScanComponent, decode_scan as _decode_scan,
                                scan_begin, scan_rows, find_marker as _find_marker,
                                SyncRecord, speculate as _speculate,
                                SCAN_OK, SCAN_TRUNCATED, SCAN_SEQUENTIAL, SCAN_DC_FIRST,
                                SCAN_DC_REFINE, SCAN_AC_FIRST, SCAN_AC_REFINE)
from jpeglite._dct cimport idct_islow_row
from jpeglite._subsample cimport upsample_row, UP_FULL
from jpeglite._color cimport (YccTables, ycc_tables, ycc_rgb_row, interleave3_row, cmyk_row,
                              ycck_cmyk_row, CC_GRAY, CC_YCC_RGB, CC_RGB, CC_CMYK, CC_YCCK)
from jpeglite.errors import JPEGError
from jpeglite.parallel import pool as _pool

cdef const YccTables* _TABLES = ycc_tables()


# the colour conversions and scan kinds, for decoder.py to choose from
SCAN_SEQUENTIAL_ = SCAN_SEQUENTIAL
SCAN_DC_FIRST_ = SCAN_DC_FIRST
SCAN_DC_REFINE_ = SCAN_DC_REFINE
SCAN_AC_FIRST_ = SCAN_AC_FIRST
SCAN_AC_REFINE_ = SCAN_AC_REFINE
CC_GRAY_ = CC_GRAY
CC_YCC_RGB_ = CC_YCC_RGB
CC_RGB_ = CC_RGB
CC_CMYK_ = CC_CMYK
CC_YCCK_ = CC_YCCK


cdef class ScanInput:
    """One component of a scan, as the entropy decoder needs it.

    index: the component's position in the frame; h, v: its blocks across
    and down per MCU (1 x 1 in a non-interleaved scan); dc, ac: its
    `build_decode_table` bytes (None where the scan kind needs none);
    coefs: the component's whole-image (block rows, blocks per row, 64) int16
    coefficients (`decode_scan`), or None (`decode_single_scan` decodes into
    its own chunk buffers).
    """
    cdef public int index, h, v
    cdef public object dc, ac, coefs

    def __init__(self, int index, int h, int v, dc, ac, coefs=None):
        self.index, self.h, self.v = index, h, v
        self.dc, self.ac, self.coefs = dc, ac, coefs


cdef class ComponentOutput:
    """A frame component on its way to pixels.

    coefs: its (block rows, blocks per row, 64) int16 coefficients (None for
    `decode_single_scan`, which supplies chunk buffers); quant: its 64 int16
    dequantization multipliers; width x height: its size in samples; h, v:
    its sampling factors; hr x vr: its upsampling factors; upsampler: the
    UP_* method (`_subsample.upsample_method`).
    """
    cdef public object coefs, quant
    cdef public int width, height, h, v, hr, vr, upsampler

    def __init__(self, coefs, quant, int width, int height, int h, int v, int hr, int vr,
                 int upsampler):
        self.coefs, self.quant = coefs, quant
        self.width, self.height, self.h, self.v = width, height, h, v
        self.hr, self.vr, self.upsampler = hr, vr, upsampler

    def with_coefs(self, coefs):
        """The same component over other coefficients."""
        return ComponentOutput(coefs, self.quant, self.width, self.height, self.h, self.v,
                               self.hr, self.vr, self.upsampler)


def find_marker(const uint8_t[::1] data, Py_ssize_t pos):
    """Offset of the 0xFF starting the next marker at or after pos (skipping
    junk bytes and fill as libjpeg does), or -1 if the data ends first."""
    if pos >= data.shape[0]:
        return -1
    return _find_marker(&data[0], pos, data.shape[0])


def decode_scan(const uint8_t[::1] data, Py_ssize_t pos, list comps, int mcus_x, int mcus_y,
                int restart_interval, int kind, int Ss, int Se, int Ah, int Al):
    """Decode the entropy-coded data of one scan that starts at byte pos.

    comps: one `ScanInput` per scan component, its coefs the component's
    C-contiguous int16 array of shape (block rows, blocks per row, 64).
    kind: one of the SCAN_* kinds.  The caller has validated the geometry:
    every MCU's blocks lie inside coefs.

    Returns (resume, corrupt_segments, bad_restarts, last_good_row): the
    offset to look for the next marker from, the number of data segments
    that ran into a marker before their end (decoded as zeros from there,
    like libjpeg), the number of restart markers that were missing or out of
    order, and the last MCU row an MCU of was decoded (not skipped after its
    data segment ran out; what block smoothing needs of the last scan).
    Raises JPEGError for data that ends inside the scan.
    """
    cdef ScanState st
    cdef Py_ssize_t n = data.shape[0]
    cdef int i, rc
    cdef int16_t[:, :, ::1] arr
    memset(&st, 0, sizeof(st))
    if pos >= n:
        raise JPEGError("truncated: no entropy-coded data after SOS", n)
    if not 1 <= len(comps) <= 4:
        raise JPEGError("a scan has 1 to 4 components", pos)
    keep = []
    st.ncomps = len(comps)
    cdef ScanInput sc
    for i, sc in enumerate(comps):
        arr = sc.coefs
        h, v, dc, ac = sc.h, sc.v, sc.dc, sc.ac
        st.comps[i].coefs = &arr[0, 0, 0]
        st.comps[i].blocks_w = arr.shape[1]
        st.comps[i].h = h
        st.comps[i].v = v
        if ((mcus_y * v > arr.shape[0]) or (mcus_x * h > arr.shape[1]) or arr.shape[2] != 64
                or not (1 <= h <= 4 and 1 <= v <= 4)):
            raise ValueError("scan geometry outside the coefficient array")
        for t in (dc, ac):
            if t is not None and len(t) != sizeof(HuffDecodeTable):
                raise ValueError("not a decode table")
        st.comps[i].dc = <const HuffDecodeTable*><const char*>dc if dc is not None else NULL
        st.comps[i].ac = <const HuffDecodeTable*><const char*>ac if ac is not None else NULL
        if (kind in (0, 1) and dc is None) or (kind in (0, 3, 4) and ac is None):
            raise ValueError("scan needs a Huffman table it was not given")
        keep.append((arr, dc, ac))
    st.mcus_x = mcus_x
    st.mcus_y = mcus_y
    st.restart_interval = restart_interval
    st.kind = kind
    st.Ss = Ss
    st.Se = Se
    st.Ah = Ah
    st.Al = Al
    br_init(&st.br, &data[0], pos, n)
    with nogil:
        rc = _decode_scan(&st)
    if rc == SCAN_TRUNCATED:
        raise JPEGError("truncated: the data ends inside a scan's entropy-coded data",
                        st.error_pos)
    resume = st.br.marker_pos if st.br.marker else st.br.pos
    return resume, st.corrupt_segments, st.bad_restarts, st.last_good_row


# The output arrays' memory.  A fresh block of tens of megabytes comes from
# mmap as pages the kernel must zero on first touch (about 3 ms for a 12 MP
# RGB image here, a tenth of its decode; 4-5% of a 48 MP decode even on huge
# pages); keeping the blocks of the last outputs the caller dropped and
# handing one to the next decode of a similar size skips that, as Pillow's
# block allocator does.  At most OUTPUT_CACHE_BLOCKS blocks of at most
# OUTPUT_CACHE_MAX bytes in all are kept; when more would be, the smallest
# go (a run of thumbnails does not push out a photo's block, and a batch
# alternating two sizes, say 12 MP and 48 MP, keeps one of each).
# PyMem_Raw* so tracemalloc sees them.
cdef Py_ssize_t OUTPUT_CACHE_MAX = 256 << 20
cdef enum:
    OUTPUT_CACHE_BLOCKS = 2
# outputs from this size on ask for huge pages (jl_hugepages), as numpy's do
cdef Py_ssize_t HUGEPAGE_MIN = 4 << 20
cdef cython.pymutex _cache_lock
cdef void* _cached[OUTPUT_CACHE_BLOCKS + 1]
cdef Py_ssize_t _cached_size[OUTPUT_CACHE_BLOCKS + 1]
cdef int _n_cached = 0


cdef void _recycle(void* ptr, Py_ssize_t size) noexcept:
    global _n_cached
    cdef void* drop[OUTPUT_CACHE_BLOCKS + 1]
    cdef int n_drop = 0, i, smallest
    cdef Py_ssize_t total = 0
    if size > OUTPUT_CACHE_MAX:
        PyMem_RawFree(ptr)
        return
    with _cache_lock:
        _cached[_n_cached] = ptr
        _cached_size[_n_cached] = size
        _n_cached += 1
        for i in range(_n_cached):
            total += _cached_size[i]
        while _n_cached > OUTPUT_CACHE_BLOCKS or total > OUTPUT_CACHE_MAX:
            smallest = 0
            for i in range(1, _n_cached):
                if _cached_size[i] < _cached_size[smallest]:
                    smallest = i
            drop[n_drop] = _cached[smallest]
            n_drop += 1
            total -= _cached_size[smallest]
            _n_cached -= 1
            _cached[smallest] = _cached[_n_cached]
            _cached_size[smallest] = _cached_size[_n_cached]
    for i in range(n_drop):
        PyMem_RawFree(drop[i])


def release_cached_outputs():
    """Free the output blocks kept for the next decodes (see above); returns
    how many bytes that gave back. For tests, and for a program that wants
    the memory back after its last large decode."""
    global _n_cached
    cdef Py_ssize_t total = 0
    cdef int i
    with _cache_lock:
        for i in range(_n_cached):
            total += _cached_size[i]
            PyMem_RawFree(_cached[i])
        _n_cached = 0
    return total


cdef void* _take(Py_ssize_t size, bint* fresh) noexcept:
    """size bytes, a recycled block when one fits (fresh[0] = False: its
    pages are mapped already) or new memory (fresh[0] = True)."""
    global _n_cached
    cdef void* ptr = NULL
    cdef int i, best = -1
    with _cache_lock:
        # a block much larger than asked for would stay tied to a small array
        for i in range(_n_cached):
            if size <= _cached_size[i] <= size + size // 4 and (
                    best < 0 or _cached_size[i] < _cached_size[best]):
                best = i
        if best >= 0:
            ptr = _cached[best]
            _n_cached -= 1
            _cached[best] = _cached[_n_cached]
            _cached_size[best] = _cached_size[_n_cached]
    fresh[0] = ptr == NULL
    if ptr == NULL:
        ptr = PyMem_RawMalloc(size if size > 0 else 1)
        if ptr != NULL and size >= HUGEPAGE_MIN:
            jl_hugepages(<uint8_t*>ptr, size)
    return ptr


cdef class _OutputMemory:
    """size bytes of writable memory exposed through the buffer protocol;
    returned to the cache when the last array using it goes."""
    cdef void* ptr
    cdef Py_ssize_t size
    cdef Py_ssize_t shape[1]
    cdef bint fresh                 # not the recycled block (pages not yet faulted in)

    def __cinit__(self, Py_ssize_t size):
        self.ptr = _take(size, &self.fresh)
        if self.ptr == NULL:
            raise MemoryError()
        self.size = size
        self.shape[0] = size

    def __getbuffer__(self, Py_buffer* buf, int flags):
        buf.buf = self.ptr
        buf.obj = self
        buf.len = self.size
        buf.readonly = 0
        buf.itemsize = 1
        buf.format = "B"
        buf.ndim = 1
        buf.shape = self.shape
        buf.strides = NULL
        buf.suboffsets = NULL
        buf.internal = NULL

    def __releasebuffer__(self, Py_buffer* buf):
        pass

    def __dealloc__(self):
        if self.ptr != NULL:
            _recycle(self.ptr, self.size)


cdef object new_output(tuple shape, bint* fresh=NULL):
    """An uninitialised C-contiguous uint8 array of this shape (every byte
    is written by the caller), on recycled memory when there is some
    (fresh, when given: whether it is new memory instead)."""
    cdef Py_ssize_t n = 1
    for d in shape:
        n *= <Py_ssize_t>d
    mem = _OutputMemory(n)
    if fresh != NULL:
        fresh[0] = (<_OutputMemory>mem).fresh
    return np.frombuffer(mem, dtype=np.uint8, count=n).reshape(shape)


cdef struct Plane:
    # one component on its way from coefficients to full-resolution rows
    const int16_t* coefs    # whole-image coefficients (reconstruct)
    Py_ssize_t blocks_w     # blocks per row in coefs
    const int16_t* quant    # IDCT multipliers
    Py_ssize_t stride       # bytes per row of decoded samples
    int bw, bh              # blocks that cover the component's samples
    int comp_w, comp_h      # the component's size in samples
    int v                   # block rows per band
    int hr, vr              # upsampling factors
    int method              # UP_*


cdef struct OutputFrame:
    # the frame as the output side sees it (jfif.Frame is the parsed SOF;
    # _encoder.EncodeFrame the encoder's)
    int ncomps
    Plane planes[4]
    int width, height
    int band_rows           # output rows per band (8 x max v)
    int nbands
    int color               # CC_*
    uint8_t* out            # height x width x ncomps


cdef enum:
    MAX_SLOTS = 64          # colour conversions running at once (one row buffer set each)

cdef enum:
    # _SingleScan.take_band: IDCT bands are told from colour bands by this offset
    IDCT_BAND = 1 << 24

cdef extern from "<sched.h>" nogil:
    int sched_yield()

cdef extern from *:
    """
    #if defined(__linux__)
    #include <sys/mman.h>
    #include <unistd.h>
    #endif
    /* Fault in the pages of p[0:n] before their first write: a fresh page
     * is zeroed by the kernel at its first touch, which at 48 MP (an output
     * past the recycled block's size) costs as much as a fifth of the
     * decode, on whichever thread writes first.  Contents are unchanged; a
     * hint only (nothing without MADV_POPULATE_WRITE, Linux 5.14). */
    static void jl_prefault(unsigned char *p, size_t n)
    {
    #if defined(__linux__) && defined(MADV_POPULATE_WRITE)
        static long page = 0;
        uintptr_t a, e = (uintptr_t)p + n;
        if (page <= 0)
            page = sysconf(_SC_PAGESIZE);
        if (page <= 0 || n == 0)
            return;
        a = (uintptr_t)p & ~(uintptr_t)(page - 1);
        (void)madvise((void *)a, e - a, MADV_POPULATE_WRITE);
    #else
        (void)p;
        (void)n;
    #endif
    }
    /* Ask for transparent huge pages on a large output (where the kernel
     * gives them only on request, THP "madvise" mode): a fresh 144 MB output
     * (48 MP RGB) then takes ~70 faults of 2 MB instead of ~35,000 of 4 KB,
     * the difference between a 48 MP decode and a 12 MP one per pixel.
     * numpy asks the same for its arrays of 4 MB and more. A hint only. */
    static void jl_hugepages(unsigned char *p, size_t n)
    {
    #if defined(__linux__) && defined(MADV_HUGEPAGE)
        static long page = 0;
        uintptr_t a, e = (uintptr_t)p + n;
        if (page <= 0)
            page = sysconf(_SC_PAGESIZE);
        if (page <= 0)
            return;
        a = ((uintptr_t)p + page - 1) & ~(uintptr_t)(page - 1);
        if (a < e)
            (void)madvise((void *)a, e - a, MADV_HUGEPAGE);
    #else
        (void)p;
        (void)n;
    #endif
    }
    """
    void jl_prefault(uint8_t* p, size_t n) noexcept nogil
    void jl_hugepages(uint8_t* p, size_t n) noexcept nogil

cdef enum:
    # _SingleScan.spec_state: no speculation; running; finished (its
    # records ready); its MCUs kept; given up (decoding goes on serially)
    SPEC_NONE = 0
    SPEC_RUNNING = 1
    SPEC_DONE = 2
    SPEC_KEPT = 3
    SPEC_DROPPED = 4
    # _SingleScan.entropy_chunk: nothing decoded, wait for the speculation
    # (a SCAN_* code of its own)
    SCAN_WAIT = 100
    # MCUs per batch of cooperative speculation (spec_idle): few, since the
    # calling thread waits for the batch running when it needs the pool thread
    SPEC_BATCH = 16


cdef void idct_band(OutputFrame* f, int band, int16_t** coefs, int mcu_row0, bint zero,
                    uint8_t** samples) noexcept nogil:
    """Inverse DCT of every block in one MCU row of every component, from
    coefs[ci] whose first block row is MCU row mcu_row0's, to samples[ci]
    (where sample row y is at samples[ci] + y * stride: a whole plane, or a
    slab's address shifted back by its first row); zero: clear the band's
    coefficients afterwards (ready for the next decode into them, as libjpeg
    zeroes each MCU before decoding it)."""
    cdef int ci, by, bx, by_end
    cdef Plane* p
    cdef int16_t* blk
    cdef int16_t* row
    for ci in range(f.ncomps):
        p = &f.planes[ci]
        by_end = (band + 1) * p.v
        if by_end > p.bh:
            by_end = p.bh
        for by in range(band * p.v, by_end):
            row = coefs[ci] + (by - mcu_row0 * p.v) * p.blocks_w * 64
            # zero: each block cleared after its IDCT, while it is in L1
            # (a separate pass over the band, memset, read it back from L2)
            idct_islow_row(row, p.quant, samples[ci] + by * 8 * p.stride, p.stride, p.bw, zero)
            if zero and p.blocks_w > p.bw:
                # the MCU padding blocks right of the image
                memset(row + p.bw * 64, 0, (p.blocks_w - p.bw) * 64 * sizeof(int16_t))
        if zero and by_end < (band + 1) * p.v:
            # the MCU padding block rows below the image
            by = by_end if by_end > band * p.v else band * p.v
            memset(coefs[ci] + (by - mcu_row0 * p.v) * p.blocks_w * 64, 0,
                   ((band + 1) * p.v - by) * p.blocks_w * 64 * sizeof(int16_t))


cdef void color_band(OutputFrame* f, int band, uint8_t** rowbufs, uint8_t** samples) noexcept nogil:
    """Upsample and colour-convert the output rows of one band, with one
    upsampled-row buffer per component, from the samples as idct_band left
    them.  Needs the decoded rows of this band and, for the triangular
    filters, the last row of the band above and the first of the band below."""
    cdef int y, y_end, ci, w = f.width
    cdef const uint8_t* rows[4]
    cdef Plane* p
    cdef uint8_t* o
    y_end = (band + 1) * f.band_rows
    if y_end > f.height:
        y_end = f.height
    for y in range(band * f.band_rows, y_end):
        for ci in range(f.ncomps):
            p = &f.planes[ci]
            rows[ci] = upsample_row(p.method, samples[ci], p.stride, p.comp_w, p.comp_h,
                                    p.hr, p.vr, y, w, rowbufs[ci])
        o = f.out + <Py_ssize_t>y * w * f.ncomps
        if f.color == CC_GRAY:
            for ci in range(w):
                o[ci] = rows[0][ci]
        elif f.color == CC_YCC_RGB:
            ycc_rgb_row(rows[0], rows[1], rows[2], o, w, _TABLES)
        elif f.color == CC_RGB:
            interleave3_row(rows[0], rows[1], rows[2], o, w)
        elif f.color == CC_CMYK:
            cmyk_row(rows[0], rows[1], rows[2], rows[3], o, w)
        else:
            ycck_cmyk_row(rows[0], rows[1], rows[2], rows[3], o, w, _TABLES)


cdef class _FrameJob:
    """A OutputFrame with the arrays it points into: the sample planes, the output
    and `slots` sets of upsampled-row buffers (one per colour conversion that
    may run at the same time)."""
    cdef OutputFrame f
    cdef int16_t* whole[4]          # the planes' whole-image coefficients
    cdef uint8_t* planes[MAX_SLOTS][4]  # per slot: a whole plane, or a slab's shifted base
    cdef uint8_t* slabs[MAX_SLOTS][4]   # per slot: the first byte of its slab
    cdef int slab_bands             # bands a slab holds besides its two neighbours; 0: whole planes
    cdef list keep
    cdef object out
    cdef bint out_fresh             # out is new memory, its pages not yet faulted in
    cdef int slots
    cdef uint8_t* rowbufs[MAX_SLOTS][4]
    cdef object rowbuf_array

    def __cinit__(self):
        memset(&self.f, 0, sizeof(OutputFrame))

    cdef setup(self, list comps, int width, int height, int max_v, int color, bint band_coefs,
               int slots, int slab_bands):
        """Fill the frame from the per-component tuples (see reconstruct) and
        allocate the output, `slots` sets of row buffers and either one set
        of whole sample planes (slab_bands 0) or per slot a slab of
        slab_bands + 2 bands per component."""
        cdef int ci, si
        cdef Plane* p
        cdef int16_t[:, :, ::1] c
        cdef const int16_t[::1] q
        cdef uint8_t[:, ::1] s
        cdef uint8_t[:, ::1] b
        cdef uint8_t[::1] o
        cdef OutputFrame* f = &self.f
        cdef Py_ssize_t rb = 0
        f.ncomps = len(comps)
        f.width = width
        f.height = height
        f.band_rows = 8 * max_v
        f.nbands = (height + f.band_rows - 1) // f.band_rows
        f.color = color
        self.keep = []
        if not 1 <= slots <= MAX_SLOTS:
            raise ValueError("1 to MAX_SLOTS row buffer sets")
        self.slots = slots
        cdef ComponentOutput oc
        for ci, oc in enumerate(comps):
            comp_w, comp_h, v, hr, vr, method = oc.width, oc.height, oc.v, oc.hr, oc.vr, oc.upsampler
            p = &f.planes[ci]
            c = oc.coefs
            q = oc.quant
            p.coefs = &c[0, 0, 0]
            self.whole[ci] = &c[0, 0, 0]
            p.blocks_w = c.shape[1]
            p.quant = &q[0]
            p.comp_w = comp_w
            p.comp_h = comp_h
            p.bw = (comp_w + 7) // 8
            p.bh = (comp_h + 7) // 8
            if (p.bw > c.shape[1] or q.shape[0] != 64 or c.shape[2] != 64 or
                    (c.shape[0] < v if band_coefs else p.bh > c.shape[0])):
                raise ValueError("component larger than its coefficients")
            p.v = v
            p.hr = hr
            p.vr = vr
            p.method = method
            if slab_bands:
                samples = np.empty((slots, min(p.bh, (slab_bands + 2) * v) * 8, p.bw * 8),
                                   dtype=np.uint8)
                for si in range(slots):
                    s = samples[si]
                    self.slabs[si][ci] = &s[0, 0]
            else:
                samples = np.empty((p.bh * 8, p.bw * 8), dtype=np.uint8)
                s = samples
                for si in range(slots):
                    self.planes[si][ci] = &s[0, 0]
            p.stride = s.shape[1]
            rb = max(rb, max(width, 2 * comp_w) + hr + 16)
            self.keep.append((c, q, samples))
        self.slab_bands = slab_bands
        rowbuf = np.empty((slots * f.ncomps, rb), dtype=np.uint8)
        b = rowbuf
        for si in range(slots):
            for ci in range(f.ncomps):
                self.rowbufs[si][ci] = &b[si * f.ncomps + ci, 0]
        self.rowbuf_array = rowbuf
        if len(comps) == 1:
            shape = (height, width)
        else:
            shape = (height, width, len(comps))
        self.out = new_output(shape, &self.out_fresh)
        o = self.out.reshape(-1)
        f.out = &o[0]
        self.keep.append(o)

    cdef void recon_part(self, int b0, int b1, int slot) noexcept nogil:
        """IDCT of bands b0 - 1 .. b1 (whole-image coefficients) into this
        slot's slab, then upsampling and colour of bands b0 .. b1 - 1.  The
        neighbour bands' IDCT is repeated by the parts above and below, so
        parts need no order and no shared samples."""
        cdef OutputFrame* f = &self.f
        cdef uint8_t* base[4]
        cdef int ci, band, s0 = b0 - 1 if b0 > 0 else 0
        cdef int s1 = b1 + 1 if b1 < f.nbands else f.nbands
        for ci in range(f.ncomps):
            base[ci] = self.slabs[slot][ci] - <Py_ssize_t>s0 * f.planes[ci].v * 8 * f.planes[ci].stride
        for band in range(s0, s1):
            idct_band(f, band, self.whole, 0, False, base)
        for band in range(b0, b1):
            color_band(f, band, self.rowbufs[slot], base)

    cdef void recon_lane_nogil(self, int lane, int nlanes, int nparts) noexcept nogil:
        cdef int j = lane
        cdef Py_ssize_t nb = self.f.nbands
        while j < nparts:
            self.recon_part(<int>(nb * j // nparts), <int>(nb * (j + 1) // nparts), lane)
            j += nlanes

    def recon_lane(self, int lane, int nlanes, int nparts):
        """Parts lane, lane + nlanes, ... of nparts equal band ranges, with
        slot lane's slab and row buffers (GIL released)."""
        if not 0 <= lane < self.slots or nlanes > self.slots or self.slab_bands == 0 or (
                nparts < 1 or (self.f.nbands + nparts - 1) // nparts > self.slab_bands):
            raise ValueError("parts that do not fit the slabs")
        with nogil:
            self.recon_lane_nogil(lane, nlanes, nparts)


def reconstruct(list comps, int width, int height, int max_v, int color, int threads=1):
    """Turn coefficients into the output image.

    comps: per frame component, a `ComponentOutput`.  color is a CC_*
    conversion.  The bands go in
    parts of up to RECON_BANDS, each inverse-transformed into a small slab
    and colour-converted from it (so no whole-image sample planes exist);
    threads > 1 runs parts on that many threads of the shared pool.
    Returns (height, width) uint8 for one component, else (height, width, n).
    """
    cdef _FrameJob job = _FrameJob()
    cdef int nbands, nparts, lanes
    nbands = (height + 8 * max_v - 1) // (8 * max_v)
    # parts of at most RECON_BANDS bands keep the slabs small; at least one
    # per thread (when there are bands enough) keeps every thread busy.
    # (Whether the image is worth threads at all: parallel.resolve_threads.)
    nparts = max((nbands + RECON_BANDS - 1) // RECON_BANDS, min(threads, nbands))
    lanes = min(threads, nparts, MAX_SLOTS)
    job.setup(comps, width, height, max_v, color, False, lanes, (nbands + nparts - 1) // nparts)
    if lanes == 1:
        job.recon_lane(0, 1, nparts)
        return job.out
    ex = _pool()
    futs = [ex.submit(job.recon_lane, i, lanes, nparts) for i in range(1, lanes)]
    job.recon_lane(0, lanes, nparts)
    for fut in futs:
        fut.result()
    return job.out


# Bands per reconstruct part: each part repeats the IDCT of the band above
# and below it, so longer parts waste less; shorter ones need smaller slabs.
RECON_BANDS = 16


cdef class _SingleScan(_FrameJob):
    """The fused single-scan decoder: entropy decoding of chunks of MCU rows
    into two alternating coefficient buffers (`entropy`), and the IDCT,
    upsampling and colour of a decoded chunk (`finish`), which may run on
    another thread while the next chunk is entropy-decoded."""
    cdef ScanState st
    cdef int16_t* bufs[2][4]
    cdef Py_ssize_t buf_rows[4]     # block rows of one MCU row, per frame component
    cdef int scan_to_frame[4]
    cdef int chunk_rows             # MCU rows per chunk
    cdef int nchunks
    cdef int rc
    # restart-parallel decoding: lanes decode chunks lane, lane + nlanes, ...
    # each from its own copy of the scan state, starting at a restart marker
    cdef const uint8_t* data
    cdef Py_ssize_t n
    cdef int nlanes
    cdef int every                  # restart intervals per chunk
    # nlanes states, allocated only for lanes (zeroing 64 of them in every
    # object was the largest fixed cost of a small decode)
    cdef ScanState* lane_st
    cdef int16_t* lane_bufs[MAX_SLOTS][4]
    cdef int lane_rc[MAX_SLOTS]
    cdef Py_ssize_t* chunk_pos      # first data byte of each chunk
    cdef ScanState final            # the state after the last chunk
    # slab instead of whole planes (not with lanes): its rows and the
    # sample row held in its first row, per component
    cdef int slab_rows[4]
    cdef int slab_row0[4]
    # the IDCT and colour bands of one chunk, offered to both threads of the pipeline
    cdef cython.pymutex lock
    cdef int col_chunk, col_next, col_end
    cdef int idct_next, idct_end, idct_left     # its IDCT bands: next to take, end, not done
    # self-synchronising speculation (pipeline without restart markers, see
    # spec_setup): a pool thread decodes MCUs from the middle of the data
    # into spec_store while the calling thread decodes from the start; the
    # calling thread takes them over when their positions meet (try_sync)
    cdef int spec_state             # SPEC_*; changed under lock
    cdef int spec_cancel
    cdef Py_ssize_t scan_start      # the scan's first data byte
    cdef ScanState spec_st          # the speculative decoder's state
    cdef int16_t* spec_store        # spec_cap MCUs of blocks, scan order
    cdef SyncRecord* spec_rec       # spec_cap + 1 records
    cdef int64_t spec_cap, spec_count
    cdef int64_t sync_offset        # scan MCU index - speculative index, once kept
    cdef int64_t sync_end           # scan MCU index after the last kept MCU
    cdef uint32_t sync_delta[4]     # true DC predictor - speculative one, per scan component
    cdef int mcu_blocks             # blocks per MCU
    cdef int64_t spec_from_bits     # where the speculative decoder starts (br_bit_position)
    # cooperative speculation (2 threads, see spec_idle): whether it runs so,
    # whether a batch is running, chunks the calling thread has entropy-decoded
    cdef bint spec_coop
    cdef int spec_busy
    cdef int entropy_done
    # rounds of cooperative speculation: once the calling thread has taken
    # a round's MCUs, the next starts half way from it to spec_end (the
    # marker after the data); MCUs taken by earlier rounds; store MCUs a
    # round wrote (the next zeroes them before reuse)
    cdef Py_ssize_t spec_end
    # the two-thread pipeline as one pool task (pipeline_pool): chunks the
    # pool thread has finished, and those the calling thread has helped
    # with (done with the slab's rows); set when the calling thread is done
    cdef int fin_done, help_done, pipe_stop
    cdef double spec_at             # SPEC_AT
    cdef int64_t spec_taken, spec_dirty

    def __cinit__(self):
        memset(&self.st, 0, sizeof(ScanState))
        self.chunk_pos = NULL
        self.lane_st = NULL
        self.spec_store = NULL
        self.spec_rec = NULL

    def __dealloc__(self):
        free(self.chunk_pos)
        free(self.lane_st)
        PyMem_RawFree(self.spec_store)
        PyMem_RawFree(self.spec_rec)

    cdef Py_ssize_t stuffing(self, Py_ssize_t q, Py_ssize_t p) noexcept nogil:
        """Bytes between q and p that feed no bits (stuffed 0x00s and fill
        0xFFs), -1 if a marker lies there."""
        cdef const uint8_t* d = self.data
        cdef const uint8_t* q0
        cdef Py_ssize_t skipped = 0
        cdef int i
        while True:
            q0 = <const uint8_t*>memchr(d + q, 0xFF, p - q)
            if q0 == NULL:
                return skipped
            q = q0 - d
            i = 0
            while d[q + 1 + i] == 0xFF:
                i += 1
            if d[q + 1 + i] != 0:
                return -1
            skipped += i + 1
            q += i + 2

    cdef Py_ssize_t spec_point(self, Py_ssize_t start, double at) noexcept nogil:
        """The first byte at fraction `at` of start .. spec_end that does
        not follow an 0xFF, or -1."""
        cdef const uint8_t* d = self.data
        cdef Py_ssize_t p = start + <Py_ssize_t>((self.spec_end - start) * at)
        while start < p < self.spec_end and d[p - 1] == 0xFF:
            p += 1
        if p <= start or p >= self.spec_end:
            return -1
        return p

    def spec_setup(self, double at, double budget):
        """Prepare speculation from the first byte boundary at fraction `at`
        of the scan's data, with a store of at most `budget` bytes;
        False (nothing to do) when the data has a marker before its end
        (restart markers, corrupt data) or leaves the store no MCU."""
        cdef Py_ssize_t end, p, skipped = 0, start = self.st.br.pos
        cdef const uint8_t* d = self.data
        cdef int i
        if self.st.restart_interval or start >= self.n:
            return False
        with nogil:
            end = _find_marker(d, start, self.n)
        if end < 0:
            return False
        self.spec_end = end
        self.spec_at = at
        p = self.spec_point(start, at)
        if p < 0:
            return False
        # the stuffing before p, for positions that both decoders count alike
        skipped = self.stuffing(start, p)
        if skipped < 0:
            return False
        self.mcu_blocks = 0
        for i in range(self.st.ncomps):
            self.mcu_blocks += self.st.comps[i].h * self.st.comps[i].v
        if budget <= 0:
            return False
        self.spec_cap = min(<int64_t>budget // (self.mcu_blocks * 128 + sizeof(SyncRecord)),
                            <int64_t>self.st.mcus_x * self.st.mcus_y)
        if self.spec_cap < 1:
            return False
        self.spec_store = <int16_t*>PyMem_RawCalloc(self.spec_cap * self.mcu_blocks * 64, sizeof(int16_t))
        self.spec_rec = <SyncRecord*>PyMem_RawMalloc((self.spec_cap + 1) * sizeof(SyncRecord))
        if self.spec_store == NULL or self.spec_rec == NULL:
            raise MemoryError()
        self.scan_start = start
        self.spec_st = self.st
        br_init(&self.spec_st.br, d, p, self.n)
        self.spec_st.br.skipped = skipped
        self.spec_from_bits = br_bit_position(&self.spec_st.br, start)
        self.spec_state = SPEC_RUNNING
        return True

    def speculate(self):
        """The speculative decoder (GIL released); on a pool thread of its own."""
        cdef int64_t count
        cdef int ended = 0
        with nogil:
            count = _speculate(&self.spec_st, self.scan_start, self.spec_store, self.spec_rec,
                               0, self.spec_cap, &self.spec_cancel, &ended)
            with self.lock:
                self.spec_count = count
                self.spec_state = SPEC_DONE

    cdef void spec_idle(self, int until) noexcept nogil:
        """Cooperative speculation (spec_coop): the pipeline's pool thread,
        idle until the calling thread has entropy-decoded `until` chunks,
        decodes speculative MCUs meanwhile, SPEC_BATCH at a time, so that the
        calling thread (the pipeline's slower stage) finds them decoded.
        Stops when the calling thread is done with that chunk, stops the
        speculation (spec_halt) or it ends."""
        cdef int64_t j, e, count
        cdef int ended, zero = 0
        while True:
            with self.lock:
                if (self.spec_state != SPEC_RUNNING or self.spec_cancel
                        or self.entropy_done >= until):
                    return
                self.spec_busy = 1
            j = self.spec_count
            e = min(j + SPEC_BATCH, self.spec_cap)
            if j < self.spec_dirty:
                # an earlier round's MCUs (the decoder adds to zeros)
                memset(self.spec_store + j * self.mcu_blocks * 64, 0,
                       (min(e, self.spec_dirty) - j) * self.mcu_blocks * 64 * sizeof(int16_t))
            ended = 0
            count = _speculate(&self.spec_st, self.scan_start, self.spec_store, self.spec_rec,
                               j, e, &zero, &ended)
            with self.lock:
                self.spec_count = count
                if ended or count >= self.spec_cap:
                    self.spec_state = SPEC_DONE
                self.spec_busy = 0

    cdef void spec_halt(self) noexcept nogil:
        """The calling thread has reached where the speculation started:
        no more cooperative batches; wait for the one running (a few MCUs),
        so that its records are complete."""
        cdef int busy = 1
        with self.lock:
            if self.spec_state == SPEC_RUNNING:
                self.spec_state = SPEC_DONE
        while busy:
            with self.lock:
                busy = self.spec_busy
            if busy:
                sched_yield()

    def spec_stop(self):
        """Ask the speculative decoder to stop (its result is no longer wanted);
        returns whether its MCUs were used."""
        with self.lock:
            self.spec_cancel = 1
        if self.spec_state == SPEC_KEPT:
            self.spec_taken += self.spec_count
        if self.spec_taken:
            spec_mcus[0] += self.spec_taken
            spec_mcus[1] += <int64_t>self.st.mcus_x * self.st.mcus_y
        return self.spec_taken > 0

    cdef void try_sync(self, int k) noexcept nogil:
        """At the start of chunk k: if the speculative decoder started an MCU
        exactly where this decoder stands, both decode the same MCUs from
        here on (the same bits through the same tables and block order; only
        the DC predictors differ, by a constant per component, since no
        restart marker resets them): keep its MCUs.  Give up once this
        decoder is past everything it recorded."""
        cdef ScanState* st = &self.st
        cdef int64_t m = <int64_t>k * self.chunk_rows * st.mcus_x
        cdef int64_t total = <int64_t>st.mcus_x * st.mcus_y
        cdef int64_t lo = 0, hi = self.spec_count, mid, pos, j
        cdef int i
        if st.insufficient or st.br.at_end or self.spec_count == 0:
            self.spec_state = SPEC_DROPPED
            return
        pos = br_bit_position(&st.br, self.scan_start)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.spec_rec[mid].bitpos < pos:
                lo = mid + 1
            else:
                hi = mid
        if lo >= self.spec_count:
            self.spec_state = SPEC_DROPPED
            return
        if self.spec_rec[lo].bitpos != pos:
            return
        j = lo
        if m - j < 0 or m - j + self.spec_count > total:
            # it decoded MCUs past the scan's last (data after the last MCU)
            self.spec_state = SPEC_DROPPED
            return
        self.sync_offset = m - j
        self.sync_end = self.sync_offset + self.spec_count
        for i in range(st.ncomps):
            self.sync_delta[i] = <uint32_t>st.comps[i].last_dc - <uint32_t>self.spec_rec[j].dc[i]
        self.spec_state = SPEC_KEPT

    cdef int copy_mcus(self, int k, int64_t m0, int64_t m1) noexcept nogil:
        """MCUs m0 .. m1 - 1 (scan order, inside chunk k) from the speculative
        store into chunk k's buffer, their DC values corrected."""
        cdef ScanState* st = &self.st
        cdef int64_t m
        cdef int i, by, bx, my, mx, r0 = k * self.chunk_rows
        cdef ScanComponent* c
        cdef const int16_t* src
        cdef int16_t* dst
        for m in range(m0, m1):
            my = <int>(m // st.mcus_x)
            mx = <int>(m % st.mcus_x)
            src = self.spec_store + (m - self.sync_offset) * self.mcu_blocks * 64
            for i in range(st.ncomps):
                c = &st.comps[i]
                for by in range(c.v):
                    dst = (self.bufs[k & 1][self.scan_to_frame[i]]
                           + (((my - r0) * c.v + by) * c.blocks_w + mx * c.h) * 64)
                    for bx in range(c.h):
                        memcpy(dst, src, 64 * sizeof(int16_t))
                        dst[0] = <int16_t>(<uint32_t>src[0] + self.sync_delta[i])
                        dst += 64
                        src += 64
        return SCAN_OK

    cdef int kept_chunk(self, int k) noexcept nogil:
        """Chunk k once the speculative MCUs are kept: theirs, then (past
        the last of them) decoded on from the speculative decoder's state."""
        cdef ScanState* st = &self.st
        cdef int i, r0 = k * self.chunk_rows, r1 = r0 + self.chunk_rows
        cdef int64_t m0, m1
        if r1 > st.mcus_y:
            r1 = st.mcus_y
        m0 = <int64_t>r0 * st.mcus_x
        m1 = <int64_t>r1 * st.mcus_x
        if m0 >= self.sync_end:
            return scan_rows(st, r0, r1)
        if m1 <= self.sync_end:
            self.copy_mcus(k, m0, m1)
            if m1 == self.sync_end:
                self.resume_after_spec()
                self.spec_rearm(m1)
            return SCAN_OK
        self.copy_mcus(k, m0, self.sync_end)
        self.resume_after_spec()
        self.spec_rearm(self.sync_end)
        st.mx_first = <int>(self.sync_end % st.mcus_x)
        return scan_rows(st, <int>(self.sync_end // st.mcus_x), r1)

    cdef void spec_rearm(self, int64_t m) noexcept nogil:
        """Cooperative speculation, its round's MCUs all taken (this decoder
        stands at MCU m, after them): a new round from half way between here
        and the data's end, in the same store, so that the pool thread has
        entropy decoding to take over in its idle time to the end of the
        scan (with one round it sat idle for the last third of a 12 MP
        4:4:4 decode, a fifth of its time).  Only while at least two chunks
        are left."""
        cdef ScanState* st = &self.st
        cdef Py_ssize_t p, skipped
        if (not self.spec_coop or st.br.marker or st.br.at_end or st.br.pad
                or (<int64_t>st.mcus_x * st.mcus_y - m) < 2 * <int64_t>self.chunk_rows * st.mcus_x):
            return
        p = self.spec_point(st.br.pos, self.spec_at)
        if p < 0:
            return
        skipped = self.stuffing(st.br.pos, p)
        if skipped < 0:
            return
        with self.lock:
            self.spec_taken += self.spec_count
            if self.spec_count > self.spec_dirty:
                self.spec_dirty = self.spec_count
            self.spec_st = st[0]
            self.spec_st.mx_first = 0
            br_init(&self.spec_st.br, self.data, p, self.n)
            self.spec_st.br.skipped = st.br.skipped + skipped
            self.spec_from_bits = br_bit_position(&self.spec_st.br, self.scan_start)
            self.spec_count = 0
            self.spec_state = SPEC_RUNNING

    cdef void resume_after_spec(self) noexcept nogil:
        # the state after the last kept MCU: the speculative decoder's reader
        # and its DC predictors corrected
        cdef int i
        self.st.br = self.spec_st.br
        for i in range(self.st.ncomps):
            self.st.comps[i].last_dc = <int32_t>(<uint32_t>self.spec_rec[self.spec_count].dc[i]
                                                 + self.sync_delta[i])

    cdef bint find_chunks(self) noexcept nogil:
        """Where each chunk's data starts, from one walk over the scan's
        markers; true only if the restart markers before the last chunk are
        RST0, RST1, ... in order with nothing between them, which is exactly
        when decoding a chunk from its restart marker on gives what the
        sequential decoder gives (otherwise it resynchronises, and the
        caller decodes sequentially instead)."""
        cdef Py_ssize_t i, cur = self.st.br.pos, ff, nmarkers = (self.nchunks - 1) * <Py_ssize_t>self.every
        cdef const uint8_t* d = self.data
        self.chunk_pos[0] = cur
        for i in range(nmarkers):
            ff = _find_marker(d, cur, self.n)
            if ff < 0 or d[ff + 1] != 0xD0 + (i & 7):
                return False
            cur = ff + 2
            if (i + 1) % self.every == 0:
                self.chunk_pos[(i + 1) // self.every] = cur
        return True

    cdef int lane_chunks(self, int lane) noexcept nogil:
        """Entropy decoding, IDCT and the colour of every band but the first
        and the last of this lane's chunks (the triangular filters read a
        row of the band above and below); returns the first SCAN_* failure."""
        cdef ScanState* st = &self.lane_st[lane]
        cdef OutputFrame* f = &self.f
        cdef int i, k = lane - self.nlanes, band, rc, r0, r1
        while k + self.nlanes < self.nchunks:
            k += self.nlanes
            r0 = k * self.chunk_rows
            r1 = r0 + self.chunk_rows
            if r1 > self.st.mcus_y:
                r1 = self.st.mcus_y
            st[0] = self.st
            br_init(&st.br, self.data, self.chunk_pos[k], self.n)
            scan_begin(st)
            st.next_rst = (k * self.every) & 7
            for i in range(st.ncomps):
                st.comps[i].coefs = self.lane_bufs[lane][self.scan_to_frame[i]]
            st.row_base = r0
            rc = scan_rows(st, r0, r1)
            if rc != SCAN_OK:
                self.lane_rc[lane] = rc
                return rc
            if k == self.nchunks - 1:
                self.final = st[0]
            for band in range(r0, r1):
                idct_band(f, band, self.lane_bufs[lane], r0, True, self.planes[0])
                if band - 1 > r0:
                    color_band(f, band - 1, self.rowbufs[lane], self.planes[0])
        return SCAN_OK

    def lane(self, int lane):
        """lane_chunks with the GIL released; returns the SCAN_* code."""
        cdef int rc
        with nogil:
            rc = self.lane_chunks(lane)
        return rc

    def lane_edges(self, int lane):
        """The colour of the first and last band of each of this lane's
        chunks, which need rows of the chunks above and below (GIL released)."""
        cdef int k = lane - self.nlanes, r1
        with nogil:
            while k + self.nlanes < self.nchunks:
                k += self.nlanes
                color_band(&self.f, k * self.chunk_rows, self.rowbufs[lane], self.planes[0])
                r1 = (k + 1) * self.chunk_rows
                if r1 > self.st.mcus_y:
                    r1 = self.st.mcus_y
                if r1 - 1 > k * self.chunk_rows:
                    color_band(&self.f, r1 - 1, self.rowbufs[lane], self.planes[0])

    cdef int entropy_chunk(self, int k) noexcept nogil:
        """Entropy-decode chunk k into buffer k & 1 (which must be all zeros),
        or take it from the speculative decoder."""
        cdef int i, state, r0 = k * self.chunk_rows, r1 = r0 + self.chunk_rows
        if r1 > self.st.mcus_y:
            r1 = self.st.mcus_y
        for i in range(self.st.ncomps):
            self.st.comps[i].coefs = self.bufs[k & 1][self.scan_to_frame[i]]
        self.st.row_base = r0
        if self.spec_store != NULL:
            with self.lock:
                state = self.spec_state
                if state == SPEC_DONE:
                    self.try_sync(k)
                    state = self.spec_state
            if state == SPEC_KEPT:
                return self.kept_chunk(k)
            if (state == SPEC_RUNNING
                    and br_bit_position(&self.st.br, self.scan_start) >= self.spec_from_bits):
                # past where the speculation started: its MCUs are the ones
                # this chunk needs, so wait for them (the caller joins its
                # thread); cooperative speculation stops where it is
                if not self.spec_coop:
                    return SCAN_WAIT
                self.spec_halt()
                with self.lock:
                    self.try_sync(k)
                    state = self.spec_state
                if state == SPEC_KEPT:
                    return self.kept_chunk(k)
        return scan_rows(&self.st, r0, r1)

    cdef void slab_make_room(self, int band, int band_end) noexcept nogil:
        """Before the IDCT of bands band .. band_end - 1 (every band above
        coloured but the last): if the slab (slot 0) cannot take them, move
        the rows colour still needs (the band above and the last row of the
        one above that) to the top of the slab."""
        cdef OutputFrame* f = &self.f
        cdef Plane* p
        cdef int ci, vr, end, cs
        for ci in range(f.ncomps):
            p = &f.planes[ci]
            vr = p.v * 8
            end = band_end * p.v
            if end > p.bh:
                end = p.bh
            if end * 8 - self.slab_row0[ci] > self.slab_rows[ci]:
                cs = band * vr - vr - 1
                if cs < 0:
                    cs = 0
                memmove(self.slabs[0][ci], self.planes[0][ci] + <Py_ssize_t>cs * p.stride,
                        <Py_ssize_t>(band * vr - cs) * p.stride)
                self.slab_row0[ci] = cs
                self.planes[0][ci] = self.slabs[0][ci] - <Py_ssize_t>cs * p.stride

    cdef void finish_chunk(self, int k) noexcept nogil:
        """IDCT of chunk k (zeroing its buffer for reuse), then the colour of
        every band whose rows below are now decoded."""
        cdef OutputFrame* f = &self.f
        cdef Plane* p
        cdef int ci, band, r0 = k * self.chunk_rows, r1 = r0 + self.chunk_rows
        if r1 > f.nbands:
            r1 = f.nbands
        for band in range(r0, r1):
            if self.slab_bands:
                self.slab_make_room(band, band + 1)
            idct_band(f, band, self.bufs[k & 1], r0, True, self.planes[0])
            if band > 0:
                color_band(f, band - 1, self.rowbufs[0], self.planes[0])
        if r1 == f.nbands:
            color_band(f, f.nbands - 1, self.rowbufs[0], self.planes[0])

    def entropy(self, int k):
        """entropy_chunk with the GIL released; returns the SCAN_* code."""
        cdef int rc
        with nogil:
            rc = self.entropy_chunk(k)
            if rc == SCAN_OK:
                with self.lock:
                    self.entropy_done = k + 1
        return rc

    cdef int take_band(self, int k) noexcept nogil:
        """The next band of chunk k nobody has taken yet: an IDCT band
        (returned as band + IDCT_BAND), else, once every IDCT band is done, a
        colour band; -1 when none is left, -2 when only the IDCT of bands
        another thread is running stands between the caller and the colour."""
        cdef int b = -1
        with self.lock:
            if self.col_chunk == k:
                if self.idct_next < self.idct_end:
                    b = self.idct_next + IDCT_BAND
                    self.idct_next += 1
                elif self.idct_left:
                    b = -2
                elif self.col_next < self.col_end:
                    b = self.col_next
                    self.col_next += 1
        return b

    cdef void share_bands(self, int k, int slot) noexcept nogil:
        """IDCT and colour bands of chunk k until none is left (slot: the row
        buffers to colour with, one per thread)."""
        cdef OutputFrame* f = &self.f
        cdef int band = self.take_band(k)
        while band != -1:
            if band >= IDCT_BAND:
                idct_band(f, band - IDCT_BAND, self.bufs[k & 1], k * self.chunk_rows, True,
                          self.planes[0])
                with self.lock:
                    self.idct_left -= 1
            elif band >= 0:
                color_band(f, band, self.rowbufs[slot], self.planes[0])
            else:
                # the other thread's last IDCT band is nearly done
                sched_yield()
            band = self.take_band(k)

    cdef void finish_posted(self, int k) noexcept nogil:
        """The IDCT of chunk k, then its colour bands, shared band by band
        with `help`."""
        cdef OutputFrame* f = &self.f
        cdef int r0 = k * self.chunk_rows, r1 = r0 + self.chunk_rows
        if r1 > f.nbands:
            r1 = f.nbands
        if self.slab_bands:
            self.slab_make_room(r0, r1)
        with self.lock:
            self.idct_next = r0
            self.idct_end = r1
            self.idct_left = r1 - r0
            # every band whose rows below are now decoded
            self.col_next = r0 - 1 if r0 > 0 else 0
            self.col_end = f.nbands if r1 == f.nbands else r1 - 1
            self.col_chunk = k
        self.share_bands(k, 0)

    def finish_shared(self, int k):
        """finish_posted with the GIL released (one pool task a chunk)."""
        with nogil:
            self.finish_posted(k)

    def pipeline_pool(self):
        """The pool thread's side of the two-thread pipeline with
        cooperative speculation, one task for the whole scan (GIL released):
        for each chunk, speculation (spec_idle) until the calling thread has
        entropy-decoded it and is done helping with the chunk before (which
        may still read slab rows that finish_posted moves), then its IDCT
        and colour (finish_posted, shared with `help`).  A pool task a chunk cost a Python submit and result
        and a wake-up of the pool thread each time: 40-100 us a chunk on
        each thread, 15% of a 12 MP 4:4:4 decode's wall time.  Stops when
        the calling thread calls pipe_end."""
        cdef int k, ready = 0, stop = 0
        with nogil:
            for k in range(self.nchunks):
                while True:
                    self.spec_idle(k + 1)
                    with self.lock:
                        ready = self.entropy_done > k and self.help_done >= k
                        stop = self.pipe_stop
                    if ready or stop:
                        break
                    sched_yield()
                if stop:
                    break
                self.finish_posted(k)
                with self.lock:
                    self.fin_done = k + 1

    def pipe_end(self):
        """The calling thread is done with the pipeline: pipeline_pool
        finishes the chunk it is on and returns."""
        with self.lock:
            self.pipe_stop = 1

    def wait_finished(self, int k):
        """Until pipeline_pool has finished chunk k - 1 (GIL released)."""
        cdef int done = 0
        with nogil:
            while not done:
                with self.lock:
                    done = self.fin_done >= k
                if not done:
                    sched_yield()

    def help(self, int k):
        """IDCT and colour bands of chunk k that finish_shared puts on offer
        and has not taken, GIL released.  finish_shared(k) is on the pool by
        now and the caller waits for it next, so wait for its offer here
        (when entropy decoding is quick, as with kept speculative MCUs, the
        offer comes after the caller is done with the next chunk)."""
        cdef int posted = 0
        cdef OutputFrame* f = &self.f
        cdef Py_ssize_t y0, y1, row
        with nogil:
            while not posted:
                with self.lock:
                    posted = self.col_chunk == k
                if not posted:
                    sched_yield()
            self.share_bands(k, 1)
            with self.lock:
                self.help_done = k + 1
            if k + 1 < self.nchunks and self.out_fresh:
                # the output rows chunk k + 1 colours (bands r1 - 1 ..), faulted
                # in while the pool thread finishes chunk k: the waiting thread
                # takes the page zeroing off the busy one (a recycled output's
                # pages are in already, and walking them cost the calling
                # thread 45 us a chunk at 12 MP, 8% of its time)
                y0 = (<Py_ssize_t>(k + 1) * self.chunk_rows - 1) * f.band_rows
                y1 = (<Py_ssize_t>(k + 2) * self.chunk_rows) * f.band_rows
                if k + 2 >= self.nchunks or y1 > f.height:
                    y1 = f.height
                if y0 < y1:
                    row = <Py_ssize_t>f.width * f.ncomps
                    jl_prefault(f.out + y0 * row, <size_t>((y1 - y0) * row))

    def run_serial(self):
        """Every chunk in order on this thread; returns the SCAN_* code."""
        cdef int k, rc = SCAN_OK
        with nogil:
            for k in range(self.nchunks):
                rc = self.entropy_chunk(k)
                if rc != SCAN_OK:
                    break
                self.finish_chunk(k)
        return rc


# Bands of decoded samples the single-scan path keeps (besides the two it
# carries over): enough to make the carrying rare, few enough to stay in cache.
SLAB_BANDS = 16

# Pixels per chunk when entropy decoding and the rest overlap: enough work
# (about a millisecond) to hide the cost of handing a chunk to the pool.
# (Images under two chunks get threads=1 from parallel.resolve_threads.)
CHUNK_PIXELS = 1 << 18


# Self-synchronising speculation on the pipelined path (no restart
# markers): where in the scan's data the speculative decoder starts (a
# fraction of its bytes); the bound of its store together with the chunk
# buffers, a fraction of the output's bytes (the peak stays within twice the
# image plus the file, tests/test_decode_memory.py; the whole-image
# coefficients are twice the output at 4:4:4, so a 12 MP photo's store holds
# a fifth of them, at 4:2:0 two fifths).  (Tests move them.)  Whether an
# image is worth threads at all is parallel.resolve_threads's rule alone.
SPEC_AT = 0.5
SPEC_BUDGET = 0.6
# The pipeline already keeps two threads busy (entropy decoding on the
# caller, IDCT and colour on the pool): a speculative decoder of its own
# pays only with a third. On 2 cores it took their time from the pipeline: a
# 12 MP q75 4:2:0 decode took 20.9 ms with it and 15.9 ms without (48 MP:
# 87.7 against 63.2 ms; 2026-11-30, idle machine).  With fewer threads the
# pipeline's pool thread speculates in the time it would wait for the
# calling thread's entropy decoding (the slower stage; spec_idle).
SPEC_MIN_THREADS = 3
# [dropped, kept]: how speculations ended, for the tests
spec_counts = [0, 0]
# [MCUs taken from kept speculations, MCUs of those scans]: how much of the
# entropy decoding the speculation took over (for measurements)
spec_mcus = [0, 0]


def decode_single_scan(const uint8_t[::1] data, Py_ssize_t pos, list scan_comps,
                       list frame_comps, int width, int height, int max_v, int mcus_x,
                       int mcus_y, int restart_interval, int color, int threads=1):
    """The fused path for a sequential file whose one scan holds every
    component: each chunk of MCU rows is entropy-decoded into a small
    coefficient buffer, inverse-transformed, and the band above it upsampled
    and colour-converted, so coefficients never exist for the whole image.
    With threads > 1 the entropy decoding of one chunk overlaps the rest of
    the work on the chunk before it (on a pool thread).

    scan_comps: per scan component, a `ScanInput` (coefs None);
    frame_comps: per frame component, a `ComponentOutput` (coefs None).  mcus_x x mcus_y MCUs of 8 max_v rows.
    Returns (image, resume offset, corrupt segments, bad restarts) or raises
    JPEGError like decode_scan.
    """
    cdef _SingleScan job = _SingleScan()
    cdef ScanState* st = &job.st
    cdef int ci, i, k, rc = SCAN_OK
    cdef bint ok
    cdef Py_ssize_t n = data.shape[0]
    cdef int16_t[:, :, ::1] arr
    if pos >= n:
        raise JPEGError("truncated: no entropy-coded data after SOS", n)
    if not 1 <= len(scan_comps) <= 4 or len(frame_comps) != len(scan_comps):
        raise ValueError("a single-scan frame has its 1 to 4 components in the scan")
    band_h = 8 * max_v
    if (height + band_h - 1) // band_h != mcus_y:
        raise ValueError("MCU rows and bands disagree")
    lanes = 1
    threaded = threads > 1 and mcus_y > 1
    if threaded:
        chunk_rows = max(1, CHUNK_PIXELS // (max(width, 1) * band_h))
        if restart_interval:
            # chunks that start at a restart marker decode independently
            unit = restart_interval // gcd(restart_interval, mcus_x)
            rows = -(-chunk_rows // unit) * unit
            if rows < mcus_y:
                chunk_rows = rows
                lanes = min(threads, -(-mcus_y // rows), MAX_SLOTS)
                job.every = rows * mcus_x // restart_interval
        if lanes == 1 and -(-mcus_y // chunk_rows) < 2:
            chunk_rows = (mcus_y + 1) // 2
    else:
        chunk_rows = 1          # one MCU row at a time keeps the buffer in cache
    job.chunk_rows = chunk_rows
    job.nchunks = (mcus_y + chunk_rows - 1) // chunk_rows
    job.nlanes = lanes
    nbuf = max(lanes, 2 if threaded else 1)
    buffers = [[np.zeros((chunk_rows * oc.v, mcus_x * oc.h, 64), dtype=np.int16)
                for oc in frame_comps] for _b in range(nbuf)]
    comps = [oc.with_coefs(buffers[0][i]) for i, oc in enumerate(frame_comps)]
    # lanes colour chunk edges from other lanes' rows, so they need whole
    # planes; in order, a slab of SLAB_BANDS bands is enough
    job.setup(comps, width, height, max_v, color, True, max(lanes, nbuf),
              0 if lanes > 1 else max(SLAB_BANDS, chunk_rows))
    job.col_chunk = -1
    if lanes == 1:
        for ci in range(len(frame_comps)):
            job.planes[0][ci] = job.slabs[0][ci]
            job.slab_row0[ci] = 0
            job.slab_rows[ci] = job.keep[ci][2].shape[1]
    for ci in range(len(frame_comps)):
        for k in range(nbuf):
            arr = buffers[k][ci]
            job.lane_bufs[k][ci] = &arr[0, 0, 0]
            if k < 2:
                job.bufs[k][ci] = &arr[0, 0, 0]
        if nbuf == 1:
            job.bufs[1][ci] = job.bufs[0][ci]
    job.keep.append(buffers)
    st.ncomps = len(scan_comps)
    cdef ScanInput sc
    for i, sc in enumerate(scan_comps):
        fi, h, v, dc, ac = sc.index, sc.h, sc.v, sc.dc, sc.ac
        arr = buffers[0][fi]
        if arr.shape[0] < v or arr.shape[1] < mcus_x * h or not (1 <= h <= 4 and 1 <= v <= 4):
            raise ValueError("scan geometry outside the coefficient buffer")
        for t in (dc, ac):
            if t is None or len(t) != sizeof(HuffDecodeTable):
                raise ValueError("not a decode table")
        job.scan_to_frame[i] = fi
        st.comps[i].blocks_w = arr.shape[1]
        st.comps[i].h = h
        st.comps[i].v = v
        st.comps[i].dc = <const HuffDecodeTable*><const char*>dc
        st.comps[i].ac = <const HuffDecodeTable*><const char*>ac
        job.keep.append((dc, ac))
    st.mcus_x = mcus_x
    st.mcus_y = mcus_y
    st.restart_interval = restart_interval
    st.kind = SCAN_SEQUENTIAL
    job.data = &data[0]
    job.n = n
    br_init(&st.br, &data[0], pos, n)
    scan_begin(st)
    ex = _pool() if threaded else None
    if lanes > 1:
        job.chunk_pos = <Py_ssize_t*>malloc(job.nchunks * sizeof(Py_ssize_t))
        job.lane_st = <ScanState*>malloc(lanes * sizeof(ScanState))
        if job.chunk_pos == NULL or job.lane_st == NULL:
            raise MemoryError()
        with nogil:
            ok = job.find_chunks()
        if ok:
            futs = [ex.submit(job.lane, i) for i in range(1, lanes)]
            rcs = [job.lane(0)] + [fut.result() for fut in futs]
            if all(r == SCAN_OK for r in rcs):
                futs = [ex.submit(job.lane_edges, i) for i in range(1, lanes)]
                job.lane_edges(0)
                for fut in futs:
                    fut.result()
                st[0] = job.final
                return _finish_single_scan(job, n)
            for b in buffers:
                for arr_ in b:
                    arr_.fill(0)
        # out-of-order or missing restart markers, or an error: decode in
        # order, which resynchronises as libjpeg does and reports the first error
    if ex is None:
        rc = job.run_serial()
    else:
        fut = None
        spec = None
        if (lanes == 1 and not restart_interval
                and job.spec_setup(SPEC_AT, SPEC_BUDGET * job.out.nbytes
                                   - sum(b.nbytes for bs in buffers for b in bs))):
            # entropy decoding is the one serial stage: a pool thread decodes
            # the second half of the data meanwhile (see _SingleScan.try_sync);
            # on two threads the pipeline's pool thread does, when idle
            if threads >= SPEC_MIN_THREADS:
                ex = _pool(3)
                spec = ex.submit(job.speculate)
            else:
                job.spec_coop = True
        if job.spec_coop:
            # one pool task for the whole scan (see _SingleScan.pipeline_pool)
            fut = ex.submit(job.pipeline_pool)
            try:
                for k in range(job.nchunks):
                    rc = job.entropy(k)
                    if k > 0:
                        # the IDCT of the chunk before is likely done: share its colour
                        job.help(k - 1)
                        job.wait_finished(k)
                    if rc != SCAN_OK:
                        break
                else:
                    job.help(job.nchunks - 1)
                    job.wait_finished(job.nchunks)
            finally:
                job.pipe_end()
                spec_counts[job.spec_stop()] += 1
                fut.result()
            fut = None
        else:
            try:
                for k in range(job.nchunks):
                    rc = job.entropy(k)
                    if rc == SCAN_WAIT:
                        spec.result()
                        rc = job.entropy(k)
                    if fut is not None:
                        # the IDCT of the chunk before is likely done: share its colour
                        job.help(k - 1)
                        fut.result()
                        fut = None
                    if rc != SCAN_OK:
                        break
                    fut = ex.submit(job.finish_shared, k)
                if fut is not None:
                    job.help(job.nchunks - 1)
            finally:
                if job.spec_store != NULL:
                    spec_counts[job.spec_stop()] += 1
                if spec is not None:
                    spec.result()
                if fut is not None:
                    fut.result()
    job.rc = rc
    return _finish_single_scan(job, n)


cdef _finish_single_scan(_SingleScan job, Py_ssize_t n):
    """(image, resume offset, corrupt segments, bad restarts) after the single
    scan (the counts as decode_scan returns them), or its JPEGError."""
    cdef ScanState* st = &job.st
    cdef int rc = job.rc
    if rc == SCAN_TRUNCATED:
        raise JPEGError("truncated: the data ends inside a scan's entropy-coded data",
                        st.error_pos)
    if st.br.at_end:
        # no marker after the data: libjpeg (Pillow) runs out of input while
        # reading ahead for the last MCUs and reports truncation
        raise JPEGError("truncated: the data ends without a marker after the scan", n)
    return (job.out, (st.br.marker_pos if st.br.marker else st.br.pos), st.corrupt_segments,
            st.bad_restarts)
