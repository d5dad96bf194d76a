#!/bin/sh
# A short run of every fuzz_kernels.py target (SECONDS each, default 60) under the build that
# fuzz/build_clang.sh made; corpora grow in fuzz/corpus-TARGET/, findings land in fuzz/crashes/.
#   . /tmp/jpeglite-clang/env.sh && fuzz/run_targets.sh [SECONDS] [TARGETS...]
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
SECS=${1:-60}
[ $# -gt 0 ] && shift
TARGETS=${*:-decode coefficients analyze optimize tables}
mkdir -p "$HERE/crashes"
status=0
for t in $TARGETS; do
    seeds="$HERE/seeds"
    [ "$t" = tables ] && seeds="$HERE/seeds-tables"
    mkdir -p "$HERE/corpus-$t"
    python "$HERE/fuzz_kernels.py" "$t" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=4096 \
        -report_slow_units=2 -dict="$HERE/jpeg.dict" -artifact_prefix="$HERE/crashes/$t-" -print_final_stats=1 \
        "$HERE/corpus-$t" "$seeds" > "$HERE/crashes/$t.log" 2>&1 || status=1
    log="$HERE/crashes/$t.log"
    echo "$t: seeds $(grep INITED "$log" | sed 's/.*\(cov: [0-9]*\).*/\1/'), end \
$(grep -E 'DONE' "$log" | sed 's/.*\(cov: [0-9]*\).*/\1/'), \
$(grep -E 'number_of_executed_units' "$log" | sed 's/.*: *//') execs, \
$(grep -E 'average_exec_per_sec' "$log" | sed 's/.*: *//')/s, \
$(grep -cE '^==[0-9]+==ERROR|^Traceback|runtime error:|^SUMMARY:' "$log") reports, \
$(grep -c 'Slowest unit' "$log") inputs over 2 s, peak $(grep -E 'peak_rss_mb' "$log" | sed 's/.*: *//') MB, \
$(ls "$HERE/crashes" | grep -c "^$t-") artifacts"
done
exit $status
