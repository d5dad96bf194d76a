#!/bin/sh
# Build jpeglite's Cython kernels with clang's libFuzzer coverage and ASan/UBSan into a
# scratch folder, and the runtime that atheris needs to see them (a manual step: CI does not
# install clang). Needs Debian's clang and libfuzzer-NN-dev (apt-get install -y clang
# libfuzzer-14-dev) and `pip install atheris`.
#
#   fuzz/build_clang.sh [OUT]          # OUT defaults to /tmp/jpeglite-clang
#   SANITIZE=0 fuzz/build_clang.sh OUT # edge counters only, no ASan/UBSan/bounds checks: the
#                                      # speed of the normal build, to compare guidance alone
#   TRACE_CMP=0 ...                    # no comparison tracing either: libFuzzer's cmp hooks
#                                      # are ~45% of a run's CPU in the arithmetic decoder's
#                                      # loops; without them twice the inputs per second, still
#                                      # steered by the kernels' edges (not by their operands)
#   . OUT/env.sh                       # LD_PRELOAD, PYTHONPATH, ASAN/UBSAN options
#   python fuzz/fuzz_kernels.py decode fuzz/corpus-decode fuzz/seeds -dict=fuzz/jpeg.dict ...
#
# Why a merged runtime: the kernels' -fsanitize=fuzzer-no-link edges call
# __sanitizer_cov_* hooks that must resolve to the libFuzzer atheris runs, and the
# extension modules are loaded RTLD_LOCAL, so libFuzzer has to be in the global namespace
# before Python starts. atheris's docs call this file asan_with_fuzzer.so (its wheels do not
# ship it): ASan's runtime (which carries UBSan's handlers) and libFuzzer without main(),
# linked whole into one shared library and preloaded; atheris then prints "Using preloaded
# libfuzzer" instead of its built-in copy.
set -eu
HERE=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-/tmp/jpeglite-clang}
CLANG=${CLANG:-clang}
SANITIZE=${SANITIZE:-1}
TRACE_CMP=${TRACE_CMP:-1}
COVERAGE=-fsanitize=fuzzer-no-link
[ "$TRACE_CMP" = 1 ] || COVERAGE="$COVERAGE -fno-sanitize-coverage=trace-cmp"
RT=$($CLANG -print-resource-dir)/lib/linux
for lib in "$RT/libclang_rt.asan-x86_64.a" "$RT/libclang_rt.fuzzer_no_main-x86_64.a"; do
    [ -f "$lib" ] || { echo "missing $lib: apt-get install -y clang libfuzzer-NN-dev" >&2; exit 1; }
done

mkdir -p "$OUT"
rm -rf "$OUT/src"          # $OUT/build/ is kept: a rebuild compiles only what changed
cp -r "$HERE/src" "$HERE/setup.py" "$HERE/pyproject.toml" "$OUT/"
find "$OUT/src" -name '*.so' -delete
find "$OUT/src" -name '_*.c' -delete      # regenerated with the bounds checks on

# JPEGLITE_SANITIZE=1 adds -fsanitize=address,undefined and Cython's bounds checks (setup.py);
# CFLAGS adds libFuzzer's edge and comparison instrumentation.
(cd "$OUT" && JPEGLITE_SANITIZE=$SANITIZE CC=$CLANG LDSHARED="$CLANG -shared" \
    CFLAGS="$COVERAGE -fno-sanitize=function" \
    LDFLAGS="$COVERAGE" \
    python setup.py build_ext --inplace -j 2 > "$OUT/build.log" 2>&1) \
    || { tail -30 "$OUT/build.log" >&2; exit 1; }

if [ "$SANITIZE" = 1 ]; then
    # asan_preinit's .preinit_array is not allowed in a shared library: leave it out
    rm -rf "$OUT/rt" && mkdir -p "$OUT/rt"
    (cd "$OUT/rt" && ar x "$RT/libclang_rt.asan-x86_64.a" && rm -f asan_preinit.cpp.o asan_preinit.cc.o \
        && ar rcs ../asan_no_preinit.a ./*.o)
    runtime="$OUT/asan_with_fuzzer.so"
    $CLANG -shared -o "$runtime" \
        -Wl,--whole-archive "$OUT/asan_no_preinit.a" "$RT/libclang_rt.fuzzer_no_main-x86_64.a" \
        -Wl,--no-whole-archive -lstdc++ -lpthread -ldl -lrt -lm
else
    runtime="$OUT/fuzzer_no_main.so"
    $CLANG -shared -o "$runtime" -Wl,--whole-archive "$RT/libclang_rt.fuzzer_no_main-x86_64.a" \
        -Wl,--no-whole-archive -lstdc++ -lpthread -ldl -lrt -lm
fi

n=$(for so in "$OUT"/src/jpeglite/_*.so; do nm -D "$so" | grep -q __sanitizer_cov_8bit_counters_init \
    && echo "$so"; done | wc -l)
echo "built $n instrumented kernels in $OUT/src/jpeglite"

cat > "$OUT/env.sh" <<EOF
export LD_PRELOAD=$runtime
export PYTHONPATH=$OUT/src
EOF
[ "$SANITIZE" = 1 ] && cat >> "$OUT/env.sh" <<EOF
export PYTHONMALLOC=malloc
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:allocator_may_return_null=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
EOF
echo "now: . $OUT/env.sh"
