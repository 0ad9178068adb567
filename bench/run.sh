#!/usr/bin/env bash
# The benchmark command: measures Pipedeck on a generated workspace and rewrites
# docs/benchmarks.md. Run as root on Debian 12 from anywhere in the repository:
#
#   bash bench/run.sh [--deals 1000000] [--seed 1] [--rounds 3] [--duration 5] [--warmup 1]
#                     [--connections 64]
#
# Steps: install missing packages (scripts/install-deps.sh); build a Release tree in build-bench/;
# generate the workspace once into bench/data/ (cached by deal count, seed and the generator and
# schema sources); copy it to a scratch file; print the query plans; start `pipedeck serve`; run
# every scenario --rounds times, each preceded by the reference route (GET /api/health) at the
# same connections; sample the server's memory; stop the server; write docs/benchmarks.md. Before
# the server starts, bench/analytics_bench.cc times the analytics dashboard on the same file and
# bench/import_bench.cc the CSV import of as many generated deal rows into a fresh workspace. All
# load goes to 127.0.0.1, and every wait and loop here is bounded. The outputs of the last run
# stay in bench/data/run/ (results.jsonl, meta.tsv, plans.md, server.log). Takes about 8 minutes
# with a cached workspace, plus about 2 minutes to generate a million deals.
set -euo pipefail
cd "$(dirname "$0")/.."

deals=1000000
seed=1
rounds=3
duration=5
warmup=1
connections=64
reps=20
months=12
# The generated history ends here, and the server's clock starts here, so that a cached workspace
# is exactly as fresh on every run.
now=2026-06-01T00:00:00Z

while [ $# -gt 0 ]; do
  case "$1" in
    --deals) deals=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    -h|--help) awk 'NR > 1 && /^#/ {print; next} NR > 1 {exit}' "$0"; exit 0 ;;
    *) echo "bench/run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
for v in "$deals" "$seed" "$rounds" "$connections"; do
  [[ "$v" =~ ^[0-9]+$ ]] || { echo "bench/run.sh: not a number: $v" >&2; exit 2; }
done

log() { printf '\n== %s\n' "$*" >&2; }

log "Dependencies and Release build (build-bench/)"
bash scripts/install-deps.sh
# The web UI is left out: no benchmark touches it, and the bench build then needs no node.
cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DPIPEDECK_WEB_UI=OFF >/dev/null
targets=(pipedeck loadgen bench_report analytics_bench import_bench)
have_explain=0
if ninja -C build-bench -t targets all 2>/dev/null | grep -q '^explain_plans:'; then
  targets+=(explain_plans)
  have_explain=1
fi
ninja -C build-bench "${targets[@]}"
bin=build-bench
pipedeck=$bin/pipedeck
loadgen=$bin/bench/loadgen

data=bench/data
run=$data/run
mkdir -p "$data"
rm -rf "$run"
mkdir -p "$run"
# The cache key: deal count, seed, and the sources that decide what the generator writes (its
# own, and the schema), so a change to either regenerates instead of migrating an old file.
shape=$(cat src/service/generator.cc src/service/generator.h src/store/sqlite/migrations.cc \
  src/store/sqlite/schema.h \
  src/store/sqlite/schema.cc | sha256sum | cut -c1-8)
cache=$data/deals-$deals-seed-$seed-$shape.db
genlog=${cache%.db}.log
for old in "$data/deals-$deals-seed-$seed".* "$data/deals-$deals-seed-$seed"-*; do
  case "$old" in "$cache"|"$genlog") ;; *) rm -f "$old" ;; esac
done
meta=$run/meta.tsv
: >"$meta"
put() { printf '%s\t%s\n' "$1" "$2" >>"$meta"; }

generate_command="pipedeck generate --deals $deals --reps $reps --months $months --seed $seed --now $now"
if [ -f "$cache" ] && [ -f "$genlog" ] && grep -q '^API token: ' "$genlog"; then
  log "Workspace: reusing $cache"
  put generated_now "no (cached in $cache; generation figures are from when it was made)"
else
  log "Workspace: generating $deals deals into $cache"
  rm -f "$cache" "$cache-wal" "$cache-shm" "$genlog"
  start=$(date +%s.%N)
  "$pipedeck" generate --deals "$deals" --reps "$reps" --months "$months" --seed "$seed" \
    --now "$now" --db "$cache.tmp" --force >"$genlog.tmp"
  end=$(date +%s.%N)
  echo "wall_seconds $(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.1f", b-a}')" >>"$genlog.tmp"
  mv "$cache.tmp" "$cache"
  mv "$genlog.tmp" "$genlog"
  put generated_now yes
fi
cat "$genlog" >&2
token=$(sed -n 's/^API token: //p' "$genlog")
summary=$(grep '^Generated ' "$genlog" || true)
count() { grep -o "[0-9,]* $1" <<<"$summary" | head -1 | tr -d , | cut -d' ' -f1; }
gen_seconds=$(sed -n 's/^wall_seconds //p' "$genlog")
rows=$(grep -o '[0-9,]* rows in' <<<"$summary" | tr -d , | cut -d' ' -f1)
put generate_command "$generate_command"
put generate_summary "$summary"
put deals "$(count deals)"
put open_deals "$(grep -o '([0-9,]* open' <<<"$summary" | tr -d '(,' | cut -d' ' -f1)"
put stage_events "$(count 'stage events')"
put activities "$(count activities)"
put notes "$(count notes)"
put generate_seconds "$gen_seconds"
put generate_deals_per_s "$(awk -v n="$(count deals)" -v s="$gen_seconds" 'BEGIN{if (s > 0) printf "%.0f", n/s}')"
put generate_rows_per_s "$(awk -v n="$rows" -v s="$gen_seconds" 'BEGIN{if (s > 0) printf "%.0f", n/s}')"

log "Scratch copy"
db=$run/pipedeck.db
cp "$cache" "$db"
db_bytes() { local t=0 f; for f in "$db" "$db-wal"; do [ -f "$f" ] && t=$((t + $(stat -c %s "$f"))); done; echo "$t"; }
put db_bytes_before "$(db_bytes)"

plans=$run/plans.md
: >"$plans"
if [ "$have_explain" = 1 ]; then
  log "Query plans"
  "$bin/bench/explain_plans" --db "$db" >"$plans"
  put full_scans "$(grep -c '^\*\*Full scan' "$plans" || true)"
fi

log "Machine"
put date "$(date -u '+%Y-%m-%d %H:%M UTC')"
put loadavg_start "$(cut -d' ' -f1-3 /proc/loadavg)"
put cpu "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
put cores "$(nproc)"
put memory "$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
put kernel "$(uname -sr)"
put os "$(. /etc/os-release && echo "$PRETTY_NAME") (debian_version $(cat /etc/debian_version 2>/dev/null || echo ?))"
put compiler "$(c++ --version | head -1)"
put sqlite "$(sqlite3 --version | cut -d' ' -f1) (libsqlite3 $(dpkg-query -W -f='${Version}' libsqlite3-0 2>/dev/null || echo ?))"
put boost "$(dpkg-query -W -f='${Version}' libboost1.81-dev 2>/dev/null || echo ?)"
put build_type "Release (-O3 -DNDEBUG)"
put rounds "$rounds"
put duration "$duration"
put warmup "$warmup"
put server_threads "$(nproc)"
put loadgen_threads 2
cat "$meta" >&2

log "Analytics (dashboard over the whole workspace, beside a plain scan of the same columns)"
"$bin/bench/analytics_bench" --db "$db" --now "$now" --runs 20 | tee -a "$meta" >&2

log "CSV import (a generated Pipedrive export of as many deal rows, beside a raw insert of them)"
"$bin/bench/import_bench" --dir "$run/import" --rows "$deals" --seed "$seed" | tee -a "$meta" >&2

log "Server"
server_log=$run/server.log
"$pipedeck" serve --db "$db" --port 0 --bind 127.0.0.1 --threads "$(nproc)" --quiet \
  --fake-now "$now" >"$server_log" 2>&1 &
server=$!
stop_server() {
  if kill -0 "$server" 2>/dev/null; then
    kill -TERM "$server"
    for _ in $(seq 1 100); do kill -0 "$server" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$server" 2>/dev/null && kill -KILL "$server"
  fi
  wait "$server" 2>/dev/null || true
}
trap stop_server EXIT
port=
for _ in $(seq 1 600); do
  port=$(sed -n 's|^Listening on http://127.0.0.1:||p' "$server_log")
  [ -n "$port" ] && break
  kill -0 "$server" 2>/dev/null || { cat "$server_log" >&2; echo "server exited" >&2; exit 1; }
  sleep 0.1
done
[ -n "$port" ] || { cat "$server_log" >&2; echo "server did not listen within 60 s" >&2; exit 1; }
rss() { awk '/^VmRSS:/ {print $2}' "/proc/$server/status"; }
sleep 1
put rss_idle_kib "$(rss)"

results=$run/results.jsonl
: >"$results"
common=(--port "$port" --token "$token" --warmup "$warmup" --duration "$duration" --threads 2
  --server-pid "$server")
scenarios=(board page page_owner get_deal timeline create move won mixed)
readers=$((connections * 3 / 4))
writers=$((connections - readers))
rss_samples=$run/rss.txt
: >"$rss_samples"
for round in $(seq 1 "$rounds"); do
  log "Round $round of $rounds"
  for s in "${scenarios[@]}"; do
    "$loadgen" "${common[@]}" --scenario health --connections "$connections" \
      --label "ref-for-$s" --repeat "$round" --seed "$round" >>"$results"
    if [ "$s" = mixed ]; then
      # Memory under load: sampled every 0.2 s while the mixed load runs (bounded loop).
      samples=$(awk -v w="$warmup" -v d="$duration" 'BEGIN{printf "%d", (w + d + 60) * 5}')
      (for _ in $(seq 1 "$samples"); do rss >>"$rss_samples" 2>/dev/null || break; sleep 0.2; done) &
      sampler=$!
      "$loadgen" "${common[@]}" --scenario "read_mix=$readers,write_mix=$writers" \
        --label mixed --repeat "$round" --seed "$round" >>"$results"
      kill "$sampler" 2>/dev/null || true
      wait "$sampler" 2>/dev/null || true
    else
      "$loadgen" "${common[@]}" --scenario "$s" --connections "$connections" --label "$s" \
        --repeat "$round" --seed "$round" >>"$results"
    fi
  done
done
put rss_load_max_kib "$(sort -n "$rss_samples" | tail -1)"
put rss_end_kib "$(rss)"
put loadavg_end "$(cut -d' ' -f1-3 /proc/loadavg)"
stop_server
trap - EXIT
put db_bytes_after "$(db_bytes)"

log "Report"
"$bin/bench/bench_report" --results "$results" --meta "$meta" --plans "$plans" \
  --analysis bench/analysis.md --out docs/benchmarks.md
echo "Wrote docs/benchmarks.md (raw results in $run/)" >&2
