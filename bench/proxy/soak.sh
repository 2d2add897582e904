#!/usr/bin/env bash
# Soak benchmark (not a test): the Tapline proxy capturing everything into an embedded Kafka broker
# (its own JVM) in front of the test upstream (TestUpstream, JDK HttpServer), on loopback.
#
#  1. steady load for DURATION: wrk with a fixed number of connections, each waiting DELAY ms after
#     every response (wrk's Lua delay(); wrk2 is not in Debian), so the rate is at most
#     CONNS * 1000 / DELAY req/s whatever the latency. Mixed response sizes from the upstream's
#     /download?size=N (70 % 1 KB, 25 % 16 KB, 5 % 256 KB) and CLOSE_PCT % of requests with
#     `Connection: close`, so new connections keep being opened. wrk runs in one-minute slices; each
#     slice reports its own p50/p99/max and errors (p99 per minute).
#     Every 30 s: the proxy's RSS (/proc/PID/status VmRSS) and heap used (jcmd GC.heap_info), with
#     the load average. At the start and end: heap used after a full GC (jcmd GC.run).
#  2. 5,000 (HOLD_CONNS) concurrent keep-alive connections for HOLD_SECS (60 s), each sending a 1 KB
#     request every HOLD_DELAY ms on average (2,500; drawn from 0.5x-1.5x so that the connections,
#     all opened at once, drift out of step): every connection stays open and busy; reports errors.
#     The proxy runs with --max-connections-per-address raised above HOLD_CONNS (all of wrk's
#     connections come from 127.0.0.1; the default cap of 256 closes the rest at accept).
# Finally the proxy's capture counters (captured, delivered, dropped) from its /metrics.
#
# Usage: bench/proxy/soak.sh [DURATION_MIN] [RATE]       (defaults: 10 minutes, 500 req/s)
# Env:   SOAK_CONNS (50), CLOSE_PCT (10), HOLD_CONNS (5000), HOLD_SECS (60), HOLD_DELAY (2500 ms),
#        JAVA_HOME (Temurin 25 if present), OUT (results dir)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
MINUTES="${1:-10}"
RATE="${2:-500}"
CONNS="${SOAK_CONNS:-50}"
CLOSE_PCT="${CLOSE_PCT:-10}"
HOLD_CONNS="${HOLD_CONNS:-5000}"
HOLD_SECS="${HOLD_SECS:-60}"
HOLD_DELAY="${HOLD_DELAY:-2500}"
DELAY=$((CONNS * 1000 / RATE))
OUT="${OUT:-$(mktemp -d /tmp/tapline-soak.XXXXXX)}"
if [[ -z "${JAVA_HOME:-}" && -d /usr/lib/jvm/temurin-25-jdk-amd64 ]]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
JCMD="${JAVA_HOME:+$JAVA_HOME/bin/}jcmd"
P_UP=18301 P_PROXY=18302 # the proxy's admin (metrics) on P_PROXY + 1000
PIDS=()
SAMPLER=
cleanup() {
  [[ -n "$SAMPLER" ]] && kill "$SAMPLER" 2>/dev/null || true
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$OUT/kafka-data"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
log() { echo "[soak $(date -u +%H:%M:%S)] $*" >&2; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

# ---- tools ----
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v curl >/dev/null || missing+=(curl)
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# 5,000 client sockets in wrk, as many accepted (and upstream ones) in the proxy: raise the limit
# before anything starts, so the JVMs inherit it.
want=$((HOLD_CONNS * 2 + 1024))
hard="$(ulimit -Hn)"
if [[ $hard != unlimited && $hard -lt $want ]]; then want=$hard; fi
ulimit -n "$want" || true
log "open files limit $(ulimit -n)"

cd "$ROOT"
if [[ -z "${BENCH_CP:-}" ]]; then
  log "building the bench module"
  source bench/build.sh
  bench_build
fi
CP="$BENCH_CP"
JOPTS=(--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Dorg.slf4j.simpleLogger.defaultLogLevel=warn)

mkdir -p "$OUT/kafka-data"
"$JAVA" "${JOPTS[@]}" -Djava.io.tmpdir="$OUT/kafka-data" -cp "$CP" dev.tapline.proxy.BenchMain kafka \
  > "$OUT/kafka.out" 2> "$OUT/kafka.err" & PIDS+=($!)
for _ in $(seq 1 600); do grep -q '^bootstrap' "$OUT/kafka.out" 2>/dev/null && break; sleep 0.1; done
BOOTSTRAP="$(awk '/^bootstrap/{print $2}' "$OUT/kafka.out")"
[[ -n "$BOOTSTRAP" ]] || { cat "$OUT/kafka.err" >&2; exit 1; }
# TestUpstream is the JDK's HttpServer, which leaves Nagle's algorithm on unless told: on a kept-alive
# connection its 8-32 KB responses then wait ~40 ms for the client's delayed ACK (measured: 44-48 ms
# for the second and later 16 KB responses on one connection, direct, without the proxy).
"$JAVA" "${JOPTS[@]}" -Dsun.net.httpserver.nodelay=true -cp "$CP" dev.tapline.proxy.BenchMain upstream $P_UP \
  > "$OUT/up.out" 2>&1 & PIDS+=($!)
# every client connection comes from 127.0.0.1: raise the per-address cap (256 by default, the
# proxy's --max-connections-per-address) above HOLD_CONNS; the total cap stays at its 10,000
"$JAVA" "${JOPTS[@]}" -Dbench.maxConnectionsPerAddress=$((HOLD_CONNS + 1000)) -cp "$CP" \
  dev.tapline.proxy.BenchMain proxy "http://127.0.0.1:$P_UP" $P_PROXY all "$BOOTSTRAP" \
  > "$OUT/proxy.out" 2>&1 & PIDS+=($!); PROXY=$!
for f in up proxy; do
  for _ in $(seq 1 600); do grep -q '^ready' "$OUT/$f.out" 2>/dev/null && break; sleep 0.1; done
  grep -q '^ready' "$OUT/$f.out" || { cat "$OUT/$f.out" >&2; exit 1; }
done
log "proxy: $(cat "$OUT/proxy.out"); results in $OUT"

cat > "$OUT/mix.lua" <<'LUA'
local close_pct = tonumber(os.getenv("CLOSE_PCT") or "10")
local delay_ms = tonumber(os.getenv("DELAY_MS") or "100")
local only_small = os.getenv("ONLY_SMALL") == "1"
local jitter = os.getenv("JITTER") == "1"
local counter = 0
function setup(thread) counter = counter + 1; thread:set("id", counter) end
function init(args) math.randomseed(os.time() * 1000 + id) end
function request()
  local r = math.random(100)
  local size = 1024
  if not only_small then
    if r <= 5 then size = 262144 elseif r <= 30 then size = 16384 end
  end
  local headers = nil
  if math.random(100) <= close_pct then headers = { ["Connection"] = "close" } end
  return wrk.format("GET", "/download?size=" .. size, headers)
end
-- JITTER=1: a delay drawn evenly from 0.5x to 1.5x, so that connections opened together drift apart
function delay() if jitter then return math.random(math.floor(delay_ms / 2), math.floor(delay_ms * 3 / 2)) end return delay_ms end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests %d seconds %.1f p50_ms %.2f p99_ms %.2f max_ms %.2f connect %d read %d write %d status %d timeout %d\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, e.connect, e.read, e.write, e.status, e.timeout))
end
LUA

heap_used_k() { "$JCMD" "$PROXY" GC.heap_info 2>/dev/null | awk '/used/{for(i=1;i<=NF;i++) if($i=="used"){v=$(i+1); gsub(/[^0-9]/,"",v); print v; exit}}'; }
rss_k() { awk '/^VmRSS/{print $2}' "/proc/$PROXY/status"; }
threads() { awk '/^Threads/{print $2}' "/proc/$PROXY/status"; }
heap_after_gc() { "$JCMD" "$PROXY" GC.run >/dev/null 2>&1; sleep 1; heap_used_k; }
metrics() { curl -s "http://127.0.0.1:$((P_PROXY + 1000))/metrics" | grep -E '^tapline_proxy_captures_(total|delivered_total|dropped_total)|^tapline_proxy_spool_writes_total' | tr '\n' ' '; }

# warm-up: 30 s of the same mix, not measured
log "warm-up 30 s"
CLOSE_PCT=$CLOSE_PCT DELAY_MS=$DELAY wrk -t2 -c"$CONNS" -d30s -s "$OUT/mix.lua" "http://127.0.0.1:$P_PROXY" > "$OUT/warmup.txt" 2>&1 || true
START_GC_HEAP="$(heap_after_gc)"
START_RSS="$(rss_k)"
log "start: RSS $((START_RSS / 1024)) MiB, heap after GC $((START_GC_HEAP / 1024)) MiB, threads $(threads), load $(load)"
echo "start rss_kib $START_RSS heap_after_gc_kib $START_GC_HEAP threads $(threads) load $(load)" > "$OUT/memory-ends.txt"

# sampler: every 30 s
(
  echo -e "t_s\trss_mib\theap_used_mib\tthreads\tload1\tload5\tload15" 
  t0=$(date +%s)
  while kill -0 "$PROXY" 2>/dev/null; do
    printf '%s\t%s\t%s\t%s\t%s\n' $(( $(date +%s) - t0 )) $(( $(rss_k) / 1024 )) $(( $(heap_used_k) / 1024 )) "$(threads)" "$(load | tr ' ' '\t')"
    sleep 30
  done
) > "$OUT/samples.tsv" &
SAMPLER=$!

log "steady load: $MINUTES x 60 s, $CONNS connections, ${DELAY} ms between requests per connection (at most $RATE req/s), $CLOSE_PCT % Connection: close"
: > "$OUT/minutes.tsv"
for m in $(seq 1 "$MINUTES"); do
  CLOSE_PCT=$CLOSE_PCT DELAY_MS=$DELAY wrk -t2 -c"$CONNS" -d60s --timeout 5s -s "$OUT/mix.lua" "http://127.0.0.1:$P_PROXY" \
    > "$OUT/wrk-min-$m.txt" 2>&1 || true
  line="$(grep '^RESULT' "$OUT/wrk-min-$m.txt" || echo 'RESULT requests 0 seconds 0 p50_ms 0 p99_ms 0 max_ms 0 connect -1 read -1 write -1 status -1 timeout -1')"
  echo "$m $line load $(load)" >> "$OUT/minutes.tsv"
  log "minute $m: $(echo "$line" | cut -d' ' -f2-) load $(load)"
done
kill "$SAMPLER" 2>/dev/null || true; SAMPLER=
END_RSS="$(rss_k)"
END_GC_HEAP="$(heap_after_gc)"
echo "end rss_kib $END_RSS heap_after_gc_kib $END_GC_HEAP threads $(threads) load $(load)" >> "$OUT/memory-ends.txt"
log "end: RSS $((END_RSS / 1024)) MiB, heap after GC $((END_GC_HEAP / 1024)) MiB, threads $(threads), load $(load)"
METRICS_SOAK="$(metrics)"

log "holding $HOLD_CONNS keep-alive connections for $HOLD_SECS s (one 1 KB request per connection every $HOLD_DELAY ms)"
HOLD_RSS0="$(rss_k)"
JITTER=1 ONLY_SMALL=1 CLOSE_PCT=0 DELAY_MS=$HOLD_DELAY wrk -t2 -c"$HOLD_CONNS" -d"${HOLD_SECS}s" --timeout 10s -s "$OUT/mix.lua" \
  "http://127.0.0.1:$P_PROXY" > "$OUT/wrk-hold.txt" 2>&1 &
HOLD_WRK=$!; PIDS+=($HOLD_WRK)
sleep $((HOLD_SECS / 2))
ESTAB="$(ss -Htn state established "( sport = :$P_PROXY )" | wc -l)"
HOLD_RSS_MID="$(rss_k)"; HOLD_THREADS="$(threads)"
wait "$HOLD_WRK" || true
HOLD_LINE="$(grep '^RESULT' "$OUT/wrk-hold.txt" || echo 'RESULT (wrk failed, see wrk-hold.txt)')"
log "hold: $HOLD_LINE; $ESTAB connections established at the proxy half way, RSS $((HOLD_RSS_MID / 1024)) MiB, threads $HOLD_THREADS"
METRICS_END="$(metrics)"

python3 - "$OUT" "$MINUTES" "$RATE" "$CONNS" "$DELAY" "$CLOSE_PCT" <<PY
import sys
out, minutes, rate, conns, delay, close = sys.argv[1:7]
rows = []
for l in open(f"{out}/minutes.tsv"):
    f = l.split()
    kv = dict(zip(f[2:22:2], f[3:23:2]))
    rows.append((int(f[0]), kv, " ".join(f[f.index("load") + 1:])))
total = sum(int(kv["requests"]) for _, kv, _ in rows)
secs = sum(float(kv["seconds"]) for _, kv, _ in rows)
errs = sum(max(0, int(kv[k])) for _, kv, _ in rows for k in ("connect", "read", "write", "status", "timeout"))
print(f"steady load: {minutes} min, {conns} connections x {delay} ms delay (at most {rate} req/s), {close} % Connection: close,"
      f" bodies 1 KB 70 % / 16 KB 25 % / 256 KB 5 %")
print(f"  {total} requests, {total / secs if secs else 0:.0f} req/s, errors {errs} ({100.0 * errs / total if total else 0:.4f} %)")
print("  minute  req/s   p50 ms   p99 ms   max ms  errors  load average")
for m, kv, ld in rows:
    e = sum(max(0, int(kv[k])) for k in ("connect", "read", "write", "status", "timeout"))
    print(f"  {m:>6} {int(kv['requests']) / float(kv['seconds']):>6.0f} {float(kv['p50_ms']):>8.2f} {float(kv['p99_ms']):>8.2f}"
          f" {float(kv['max_ms']):>8.1f} {e:>7}  {ld}")
p99 = [float(kv["p99_ms"]) for _, kv, _ in rows]
if p99: print(f"  p99 per minute: min {min(p99):.2f} ms, max {max(p99):.2f} ms")
ends = {l.split()[0]: l.split() for l in open(f"{out}/memory-ends.txt")}
for k in ("start", "end"):
    f = ends.get(k)
    if f: print(f"  {k}: RSS {int(f[2]) // 1024} MiB, heap after full GC {int(f[4]) // 1024} MiB, threads {f[6]}, load {' '.join(f[8:])}")
print("  samples every 30 s (t_s rss_mib heap_used_mib threads load):")
for l in list(open(f"{out}/samples.tsv"))[1:]:
    print("   ", l.rstrip().replace("\t", " "))
PY
echo "  proxy metrics after the steady load: $METRICS_SOAK"
echo "hold: $HOLD_CONNS connections for $HOLD_SECS s: $HOLD_LINE"
echo "  established at the proxy half way: $ESTAB; proxy RSS $((HOLD_RSS0 / 1024)) MiB before, $((HOLD_RSS_MID / 1024)) MiB half way; threads $HOLD_THREADS"
echo "  proxy metrics at the end: $METRICS_END"
echo "machine: $(nproc) cpus, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -r); $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2); load $(load)"
echo "raw results: $OUT" >&2
