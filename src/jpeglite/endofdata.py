"""Whether libjpeg-turbo, fed a file whole and told there is no more (as Pillow
feeds it), finishes a sequential Huffman scan whose data runs to the end of
the input without a marker after it.

libjpeg's Huffman decoder never needs the data's end to be marked: it
suspends (and Pillow reports truncation) only when it tries to load a byte
past the input, and it tries that whenever it refills its bit buffer, which
it does by whole bytes up to 57 bits, before a code when fewer than 8 bits
are left, or before a value or a long code's bits when too few are left.
Whether the last MCU is finished before such a refill is a matter of where
the refills fell, so this module replays the scan's reading as libjpeg does
it (the exact routine, and its fast routine while at least 512 bytes per
block of an MCU are left without a restart interval), decoding the symbols
to know how many bits each takes. It runs in Python: only for the rare file
whose data ends that way (``decoder`` calls it then), and only for scans of
at most ``MAX_BYTES`` of data.
"""
__all__ = ["finishes", "fast_routine_stops", "MAX_BYTES"]

MAX_BYTES = 1 << 20         # longer scans are not replayed (the answer is "no")
_MIN_GET_BITS = 57          # libjpeg's refill target (a 64-bit buffer)
_LOOKAHEAD = 8


class _Suspend(Exception):
    """libjpeg asked for a byte past the input."""


class _Table:
    """A Huffman table as libjpeg's decoder derives it (maxcode, valoffset,
    8-bit lookahead) from a DHT's counts and symbols."""

    def __init__(self, counts, symbols):
        self.maxcode = [-1] * 18
        self.valoffset = [0] * 17
        code = k = 0
        for length in range(1, 17):
            n = counts[length - 1]
            if n:
                self.valoffset[length] = k - code
                code += n
                k += n
                self.maxcode[length] = code - 1
            code <<= 1
        self.maxcode[17] = 0xFFFFF
        self.symbols = list(symbols) + [0] * 256
        self.lookup = [(_LOOKAHEAD + 1, 0)] * 256
        code = k = 0
        for length in range(1, _LOOKAHEAD + 1):
            for _ in range(counts[length - 1]):
                base = code << (_LOOKAHEAD - length)
                for j in range(1 << (_LOOKAHEAD - length)):
                    self.lookup[base + j] = (length, self.symbols[k])
                code += 1
                k += 1
            code <<= 1


class _Reader:
    """libjpeg's bit buffer over the scan's bytes (jdhuff.c)."""

    def __init__(self, data, pos):
        self.data = data
        self.pos = pos
        self.buf = 0
        self.bits = 0
        self.marker = 0
        self.insufficient = False     # a marker came before the bits an MCU needed
        self.fast_marker = False
        self.loaded = 0               # bits put into the buffer so far (zero fill too)
        self.zero_from = None         # (fast routine) loaded bits where its zero fill began
        self.stop = None              # (fast routine) the offset of the 0xFF it stopped at

    def fill(self, nbits):
        """jpeg_fill_bit_buffer."""
        data, n = self.data, len(self.data)
        if not self.marker:
            while self.bits < _MIN_GET_BITS:
                if self.pos >= n:
                    raise _Suspend
                c = data[self.pos]
                self.pos += 1
                if c == 0xFF:
                    while True:
                        if self.pos >= n:
                            raise _Suspend
                        c = data[self.pos]
                        self.pos += 1
                        if c != 0xFF:
                            break
                    if c == 0:
                        c = 0xFF
                    else:
                        self.marker = c
                        break
                self.buf = ((self.buf << 8) | c) & ((1 << 64) - 1)
                self.bits += 8
                self.loaded += 8
        if self.marker and nbits > self.bits:
            self.insufficient = True
            self.buf = (self.buf << (_MIN_GET_BITS - self.bits)) & ((1 << 64) - 1)
            self.loaded += _MIN_GET_BITS - self.bits
            self.bits = _MIN_GET_BITS

    def fill_fast(self):
        """FILL_BIT_BUFFER_FAST: six bytes when 16 bits or fewer are left; a
        marker (0xFF and anything but 0x00) gives zero bytes, unread."""
        data, n = self.data, len(self.data)
        if self.bits > 16:
            return
        for _ in range(6):
            c0 = data[self.pos] if self.pos < n else 0
            c1 = data[self.pos + 1] if self.pos + 1 < n else 0
            self.pos += 1
            if c0 == 0xFF:
                self.pos += 1
                if c1 != 0:
                    if not self.fast_marker:
                        self.fast_marker = True
                        self.zero_from = self.loaded
                        self.stop = self.pos - 2
                    self.pos -= 2
                    c0 = 0
            self.buf = ((self.buf << 8) | c0) & ((1 << 64) - 1)
            self.bits += 8
            self.loaded += 8

    def restart(self, want):
        """process_restart: drop the buffered bits, read the marker (which
        must be RSTn ``want``; anything else: give up, the answer is no)."""
        self.bits = 0
        if not self.marker:
            data, n = self.data, len(self.data)
            while True:                         # next_marker: skip to 0xFF, fill, code
                while self.pos < n and data[self.pos] != 0xFF:
                    self.pos += 1
                while self.pos < n and data[self.pos] == 0xFF:
                    self.pos += 1
                if self.pos >= n:
                    raise _Suspend
                c = data[self.pos]
                self.pos += 1
                if c != 0:
                    self.marker = c
                    break
        if self.marker != 0xD0 + want:
            raise _Suspend
        self.marker = 0
        self.insufficient = False

    def get(self, n):
        self.bits -= n
        return (self.buf >> self.bits) & ((1 << n) - 1)

    def check(self, n):
        if self.bits < n:
            self.fill(n)

    def decode(self, t):
        """HUFF_DECODE (the exact routine)."""
        if self.bits < _LOOKAHEAD:
            self.fill(0)
            if self.bits < _LOOKAHEAD:
                return self._slow(t, 1)
        length, sym = t.lookup[(self.buf >> (self.bits - _LOOKAHEAD)) & 0xFF]
        if length <= _LOOKAHEAD:
            self.bits -= length
            return sym
        return self._slow(t, length)

    def _slow(self, t, length):
        """jpeg_huff_decode."""
        self.check(length)
        code = self.get(length)
        while code > t.maxcode[length]:
            code <<= 1
            self.check(1)
            code |= self.get(1)
            length += 1
        if length > 16:
            return 0
        return t.symbols[(code + t.valoffset[length]) & 0xFF]

    def decode_fast(self, t):
        """HUFF_DECODE_FAST."""
        self.fill_fast()
        length, sym = t.lookup[(self.buf >> (self.bits - _LOOKAHEAD)) & 0xFF]
        self.bits -= length
        if length > _LOOKAHEAD:
            self.bits += length
            code = (self.buf >> (self.bits - length)) & ((1 << length) - 1)
            self.bits -= length
            while code > t.maxcode[length]:
                code = (code << 1) | self.get(1)
                length += 1
            return 0 if length > 16 else t.symbols[(code + t.valoffset[length]) & 0xFF]
        return sym


def _mcu(r, blocks, fast):
    """One MCU's blocks [(dc table, ac table)] read from r."""
    for dc, ac in blocks:
        s = r.decode_fast(dc) if fast else r.decode(dc)
        if s:
            if fast:
                r.fill_fast()
            else:
                r.check(s)
            r.get(s)
        k = 1
        while k < 64:
            s = r.decode_fast(ac) if fast else r.decode(ac)
            run, s = s >> 4, s & 15
            if s:
                k += run
                if fast:
                    r.fill_fast()
                else:
                    r.check(s)
                r.get(s)
            else:
                if run != 15:
                    break
                k += 15
            k += 1


def _replay(data, start, blocks, mcus, restart_interval, on_fast_stop=None):
    """Replay libjpeg's reading of a sequential scan (see the module
    docstring); raises _Suspend where it asks for a byte past the input.
    ``on_fast_stop(offset)``: told of each MCU the fast routine decoded with
    its zero fill from the 0xFF at ``offset`` (so its coefficients differ)."""
    tables = {}

    def table(entry):
        key = (tuple(entry[0]), tuple(entry[1]))
        if key not in tables:
            tables[key] = _Table(*key)
        return tables[key]

    blocks = [(table(dc), table(ac)) for dc, ac in blocks]
    r = _Reader(data, start)
    togo = restart_interval
    want = 0
    for _ in range(mcus):
        if restart_interval:
            if togo == 0:
                r.restart(want)
                want = (want + 1) & 7
                togo = restart_interval
            togo -= 1
        if r.insufficient:
            continue
        fast = (not restart_interval and not r.marker
                and len(data) - r.pos >= 512 * len(blocks))
        if fast:
            saved = (r.pos, r.buf, r.bits, r.loaded)
            r.fast_marker = False
            _mcu(r, blocks, True)
            if not r.fast_marker:
                continue
            if on_fast_stop is not None and r.loaded - r.bits > r.zero_from:
                on_fast_stop(r.stop)
            r.pos, r.buf, r.bits, r.loaded = saved     # met a marker: the exact routine again
        _mcu(r, blocks, False)


def finishes(data, start, blocks, mcus, restart_interval):
    """True if libjpeg reads every MCU of the sequential scan whose data starts
    at ``start`` without asking for a byte past the end of ``data``.

    ``blocks``: per block of an MCU, its ((DC counts, symbols), (AC counts,
    symbols)) DHT tables; ``mcus``: MCUs in the scan.  The data is taken to
    run to the end of the input without a marker (the caller knows)."""
    if len(data) - start > MAX_BYTES:
        return False
    try:
        _replay(data, start, blocks, mcus, restart_interval)
    except _Suspend:
        return False
    return True


def fast_routine_stops(data, start, blocks, mcus):
    """The offsets of the 0xFF 0xFF .. 0x00 runs at which libjpeg-turbo's fast
    routine decoded an MCU of the scan with zero bits (arguments as for
    ``finishes``; a scan without restarts): the MCUs whose coefficients
    keep the fast routine's where the exact redo leaves zeros. None for a
    scan too long to replay."""
    if len(data) - start > MAX_BYTES:
        return None
    found = []
    try:
        _replay(data, start, blocks, mcus, 0, found.append)
    except (_Suspend, IndexError):
        pass
    return found
