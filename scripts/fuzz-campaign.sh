#!/usr/bin/env bash
# A fuzzing campaign: each target (all by default) until RUNS executions or SECS seconds, whichever comes
# first (defaults: 10 million, 30 minutes), without a sanitizer but with debug assertions (overflow checks),
# from a copy of the committed seeds. One summary line per target: executions, seconds, peak RSS, exit code.
# Run two at a time on two cores with: scripts/fuzz-campaign.sh t1 t2 … & scripts/fuzz-campaign.sh t3 t4 …
set -uo pipefail
cd "$(dirname "$0")/../fuzz"
RUNS=${RUNS:-10000000}
SECS=${SECS:-1800}
WORK=${WORK:-/tmp/cccd-fuzz}
targets=("$@")
[ ${#targets[@]} -eq 0 ] && mapfile -t targets < <(cargo fuzz list)
status=0
for t in "${targets[@]}"; do
  mkdir -p "$WORK/corpus/$t" "$WORK/logs"
  cp corpus/"$t"/* "$WORK/corpus/$t/" 2>/dev/null
  log="$WORK/logs/$t.log"
  start=$(date +%s)
  cargo fuzz run -s none -a "$t" "$WORK/corpus/$t" -- -runs="$RUNS" -max_total_time="$SECS" \
    -print_final_stats=1 -rss_limit_mb=2048 -timeout=10 >"$log" 2>&1
  rc=$?
  end=$(date +%s)
  runs=$(grep -o "stat::number_of_executed_units: *[0-9]*" "$log" | grep -o "[0-9]*$")
  peak=$(grep -o "stat::peak_rss_mb: *[0-9]*" "$log" | grep -o "[0-9]*$")
  echo "$t executions=${runs:-?} seconds=$((end - start)) peak_rss_mb=${peak:-?} exit=$rc"
  [ $rc -ne 0 ] && status=1
done
exit $status
