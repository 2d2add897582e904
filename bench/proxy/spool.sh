#!/usr/bin/env bash
# Does a configured disk spool cost the common path (Kafka healthy)? wrk on loopback against two
# proxies capturing everything into one embedded broker, one without and one with --spool-dir, in
# alternating runs (which one goes first alternates too); for each: requests/s, the proxy's CPU per 1000 requests, the bytes the proxy
# process wrote to storage (/proc/PID/io write_bytes) and tapline_proxy_spool_writes_total.
#
# Usage: bench/proxy/spool.sh [REPEATS] [DURATION]      (defaults: 3 repeats, 10s per run)
# Env:   WRK_THREADS (2), WRK_CONNECTIONS (50), JAVA_HOME (Temurin 25 if present), OUT (results dir)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
REPEATS="${1:-3}"
DURATION="${2:-10s}"
THREADS="${WRK_THREADS:-2}"
CONNS="${WRK_CONNECTIONS:-50}"
OUT="${OUT:-$(mktemp -d /tmp/tapline-bench-spool.XXXXXX)}"
if [[ -z "${JAVA_HOME:-}" && -d /usr/lib/jvm/temurin-25-jdk-amd64 ]]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
P_UP=18201 P_PLAIN=18202 P_SPOOL=18203
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$OUT/kafka-data"
}
trap cleanup EXIT
log() { echo "[bench] $*" >&2; }
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v curl >/dev/null || missing+=(curl)
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

cd "$ROOT"
if [[ -z "${BENCH_CP:-}" ]]; then
  log "building the bench module"
  source bench/build.sh
  bench_build
fi
CP="$BENCH_CP"
JOPTS=(--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Dorg.slf4j.simpleLogger.defaultLogLevel=warn)

mkdir -p "$OUT/kafka-data" # the broker's log dir goes under it, removed on exit
"$JAVA" "${JOPTS[@]}" -Djava.io.tmpdir="$OUT/kafka-data" -cp "$CP" dev.tapline.proxy.BenchMain kafka > "$OUT/kafka.out" 2> "$OUT/kafka.err" & PIDS+=($!)
for _ in $(seq 1 600); do grep -q '^bootstrap' "$OUT/kafka.out" 2>/dev/null && break; sleep 0.1; done
BOOTSTRAP="$(awk '/^bootstrap/{print $2}' "$OUT/kafka.out")"
[[ -n "$BOOTSTRAP" ]] || { cat "$OUT/kafka.err" >&2; exit 1; }
"$JAVA" "${JOPTS[@]}" -cp "$CP" dev.tapline.proxy.BenchMain upstream $P_UP > "$OUT/up.out" 2>&1 & PIDS+=($!)
"$JAVA" "${JOPTS[@]}" -cp "$CP" dev.tapline.proxy.BenchMain proxy "http://127.0.0.1:$P_UP" $P_PLAIN all "$BOOTSTRAP" \
  > "$OUT/plain.out" 2>&1 & PIDS+=($!); PID_PLAIN=$!
"$JAVA" "${JOPTS[@]}" -cp "$CP" dev.tapline.proxy.BenchMain proxy "http://127.0.0.1:$P_UP" $P_SPOOL all "$BOOTSTRAP" \
  "$OUT/spool" > "$OUT/spool.out" 2>&1 & PIDS+=($!); PID_SPOOL=$!
for f in up plain spool; do
  for _ in $(seq 1 600); do grep -q '^ready' "$OUT/$f.out" 2>/dev/null && break; sleep 0.1; done
done

declare -A URL=([plain]="http://127.0.0.1:$P_PLAIN/orders/1?quiet" [spool]="http://127.0.0.1:$P_SPOOL/orders/1?quiet")
declare -A PID=([plain]=$PID_PLAIN [spool]=$PID_SPOOL)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
written() { awk '/^write_bytes/{print $2}' "/proc/$1/io"; }
HZ=$(getconf CLK_TCK)

for n in plain spool; do wrk -t"$THREADS" -c"$CONNS" -d5s "${URL[$n]}" > /dev/null; done # warm-up
printf '%-6s %-3s %10s %14s %14s  %s\n' proxy run 'req/s' 'cpu ms/1000' 'disk bytes' 'load average' | tee "$OUT/summary.txt"
for r in $(seq 1 "$REPEATS"); do
  order=(plain spool); ((r % 2 == 0)) && order=(spool plain) # alternate which goes first
  for n in "${order[@]}"; do
    c0=$(cpu_ticks "${PID[$n]}"); w0=$(written "${PID[$n]}")
    wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" "${URL[$n]}" > "$OUT/wrk-$n-$r.txt" 2>&1 || true
    c1=$(cpu_ticks "${PID[$n]}"); w1=$(written "${PID[$n]}")
    reqs="$(awk '/requests in/{print $1}' "$OUT/wrk-$n-$r.txt")"
    rps="$(awk '/^Requests\/sec/{print $2}' "$OUT/wrk-$n-$r.txt")"
    cpu=$(awk -v t=$((c1 - c0)) -v hz="$HZ" -v n="$reqs" 'BEGIN{printf "%.1f", t * 1000 / hz / n * 1000}')
    printf '%-6s %-3s %10s %14s %14s  %s\n' "$n" "$r" "$rps" "$cpu" $((w1 - w0)) "$(cut -d' ' -f1-3 /proc/loadavg)" \
      | tee -a "$OUT/summary.txt"
  done
done
for n in plain spool; do
  port=$([[ $n == plain ]] && echo $P_PLAIN || echo $P_SPOOL)
  echo "$n: $(curl -s "http://127.0.0.1:$((port + 1000))/metrics" | grep -E '^tapline_proxy_(captures_(total|delivered_total|dropped_total)|spool_writes_total)' | tr '\n' ' ')" \
    | tee -a "$OUT/summary.txt"
done
python3 - "$OUT/summary.txt" <<'PY' | tee -a "$OUT/summary.txt"
import sys, statistics, collections
rps, cpu, disk = collections.defaultdict(list), collections.defaultdict(list), collections.defaultdict(list)
for l in open(sys.argv[1]):
    f = l.split()
    if len(f) >= 5 and f[0] in ("plain", "spool") and f[1].isdigit():
        rps[f[0]].append(float(f[2])); cpu[f[0]].append(float(f[3])); disk[f[0]].append(int(f[4]))
for n in ("plain", "spool"):
    if rps[n]:
        print(f"median {n}: {statistics.median(rps[n]):.0f} req/s, {statistics.median(cpu[n]):.1f} ms CPU per 1000 requests,"
              f" {max(disk[n])} bytes written at most in a run")
if rps["plain"] and rps["spool"]:
    print(f"spool / plain: req/s {statistics.median(rps['spool']) / statistics.median(rps['plain']):.2f},"
          f" CPU per request {statistics.median(cpu['spool']) / statistics.median(cpu['plain']):.2f}")
PY
echo "machine: $(nproc) cpus, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "results in $OUT" >&2
