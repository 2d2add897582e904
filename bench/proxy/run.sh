#!/usr/bin/env bash
# Proxy benchmark (not a test): wrk on loopback against
#   (a) the upstream directly            (b) Tapline --capture none
#   (c) Tapline capturing everything into an embedded Kafka broker
#   (d) nginx proxy_pass with upstream keepalive
#   (e) nginx proxy_pass + mirror (a request-only tap)
#   (f) mitmdump --mode reverse
# then the Tapline proxy's heap while it forwards 50 MB uploads and downloads.
#
# Usage: bench/proxy/run.sh [REPEATS] [DURATION]      (defaults: 3 repeats, 10s per run)
# Env:   WRK_THREADS (2), WRK_CONNECTIONS (50), JAVA_HOME (Temurin 25 if present), OUT (results dir)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
REPEATS="${1:-3}"
DURATION="${2:-10s}"
THREADS="${WRK_THREADS:-2}"
CONNS="${WRK_CONNECTIONS:-50}"
OUT="${OUT:-$(mktemp -d /tmp/tapline-bench.XXXXXX)}"
if [[ -z "${JAVA_HOME:-}" && -d /usr/lib/jvm/temurin-25-jdk-amd64 ]]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
JSTAT="${JAVA_HOME:+$JAVA_HOME/bin/}jstat"
JCMD="${JAVA_HOME:+$JAVA_HOME/bin/}jcmd"

P_UP=18101 P_NGX=18102 P_MIR=18103 P_SINK=18104 P_MITM=18105 P_NONE=18106 P_ALL=18107 P_READER=18108
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$OUT/kafka-data"
  [[ -f "$OUT/nginx.pid" ]] && kill "$(cat "$OUT/nginx.pid")" 2>/dev/null || true
}
trap cleanup EXIT

log() { echo "[bench] $*" >&2; }

# ---- tools ----
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx-light)
command -v mitmdump >/dev/null || missing+=(mitmproxy)
command -v curl >/dev/null || missing+=(curl)
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"

# ---- classpath: the bench module (BenchMain) and the modules it runs, built by bench/build.sh ----
cd "$ROOT"
log "building the bench module"
source bench/build.sh
bench_build
CP="$BENCH_CP"
JOPTS=(--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Dorg.slf4j.simpleLogger.defaultLogLevel=warn)

# ---- nginx: upstream, proxy_pass, proxy_pass + mirror, mirror sink ----
head -c $((50 * 1024 * 1024)) /dev/urandom > "$OUT/big.bin"
cat > "$OUT/nginx.conf" <<EOF
worker_processes auto;
pid $OUT/nginx.pid;
error_log $OUT/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_max_body_size 0;
  client_body_temp_path $OUT/nginx-body;
  proxy_temp_path $OUT/nginx-proxy;
  upstream app { server 127.0.0.1:$P_UP; keepalive 64; }
  upstream tap { server 127.0.0.1:$P_SINK; keepalive 64; }
  server {
    listen 127.0.0.1:$P_UP;
    location = /orders/1 {
      default_type application/json;
      return 200 '{"id":"1","customer":"ann","items":[{"sku":"A-1","quantity":2,"price":9.99}],"total":19.98,"status":"NEW"}';
    }
    location = /big.bin { root $OUT; }
    location = /upload { return 200 '{"ok":true}'; }
  }
  server {
    listen 127.0.0.1:$P_NGX;
    location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
  server {
    listen 127.0.0.1:$P_MIR;
    location / {
      mirror /_tap;
      proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection "";
    }
    location = /_tap { internal; proxy_pass http://tap\$request_uri; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
  server { listen 127.0.0.1:$P_SINK; location / { return 204; } }
}
EOF
mkdir -p "$OUT/nginx-body" "$OUT/nginx-proxy"
"$NGINX" -c "$OUT/nginx.conf" -e "$OUT/nginx-error.log" 2>/dev/null || "$NGINX" -c "$OUT/nginx.conf"
log "nginx up"

wait_for() { # url
  for _ in $(seq 1 200); do curl -fs -o /dev/null "$1" && return 0; sleep 0.1; done
  log "not reachable: $1"; return 1
}

# ---- embedded Kafka (own JVM) and the two Tapline proxies ----
mkdir -p "$OUT/kafka-data" # the broker's log dir goes under it, removed on exit
"$JAVA" "${JOPTS[@]}" -Djava.io.tmpdir="$OUT/kafka-data" -cp "$CP" dev.tapline.proxy.BenchMain kafka > "$OUT/kafka.out" 2> "$OUT/kafka.err" &
KAFKA_PID=$!
PIDS+=($KAFKA_PID)
for _ in $(seq 1 300); do grep -q '^bootstrap' "$OUT/kafka.out" 2>/dev/null && break; sleep 0.1; done
BOOTSTRAP="$(awk '/^bootstrap/{print $2}' "$OUT/kafka.out")"
[[ -n "$BOOTSTRAP" ]] || { log "kafka did not start"; cat "$OUT/kafka.err" >&2; exit 1; }
log "kafka $BOOTSTRAP"

"$JAVA" "${JOPTS[@]}" -cp "$CP" dev.tapline.proxy.BenchMain proxy "http://127.0.0.1:$P_UP" $P_NONE none > "$OUT/none.out" 2>&1 &
NONE_PID=$!
PIDS+=($NONE_PID)
"$JAVA" "${JOPTS[@]}" -Xlog:disable -cp "$CP" dev.tapline.proxy.BenchMain proxy "http://127.0.0.1:$P_UP" $P_ALL all "$BOOTSTRAP" > "$OUT/all.out" 2>&1 &
ALL_PID=$!
PIDS+=($ALL_PID)

mitmdump --mode "reverse:http://127.0.0.1:$P_UP" --listen-host 127.0.0.1 --listen-port $P_MITM -q > "$OUT/mitm.log" 2>&1 &
PIDS+=($!)

# CPU time (clock ticks) used by every server-side process (nginx, both proxies, the broker,
# mitmdump; not wrk). On a shared machine, CPU per request is steadier than req/s.
server_pids() {
  local m; m="$(cat "$OUT/nginx.pid")"
  echo "$m" $(pgrep -P "$m") "${PIDS[@]}"
}
cpu_ticks() { # [PID...] (default: every server-side process)
  local t=0 p f pids
  if (($#)); then pids="$*"; else pids="$(server_pids)"; fi
  for p in $pids; do
    f="$(cat "/proc/$p/stat" 2>/dev/null)" || continue
    f="${f##*) }" # fields after "(comm) "; utime and stime are then fields 12 and 13
    set -- $f
    t=$((t + ${12} + ${13}))
  done
  echo "$t"
}
TICK_US=$((1000000 / $(getconf CLK_TCK)))

for p in $P_UP $P_NGX $P_MIR $P_NONE $P_ALL $P_MITM; do wait_for "http://127.0.0.1:$p/orders/1"; done
log "all targets up; results in $OUT"

declare -A URL=(
  [a_direct]="http://127.0.0.1:$P_UP/orders/1"
  [b_tapline_none]="http://127.0.0.1:$P_NONE/orders/1"
  [c_tapline_kafka]="http://127.0.0.1:$P_ALL/orders/1"
  [d_nginx_proxy]="http://127.0.0.1:$P_NGX/orders/1"
  [e_nginx_mirror]="http://127.0.0.1:$P_MIR/orders/1"
  [f_mitmdump]="http://127.0.0.1:$P_MITM/orders/1"
)
NAMES=(a_direct b_tapline_none c_tapline_kafka d_nginx_proxy e_nginx_mirror f_mitmdump)

# warm-up (JIT, pools, topic metadata)
for n in b_tapline_none c_tapline_kafka; do wrk -t"$THREADS" -c"$CONNS" -d5s "${URL[$n]}" > /dev/null; done

: > "$OUT/results.tsv"
for r in $(seq 1 "$REPEATS"); do
  order=("${NAMES[@]}")
  if ((r % 2 == 0)); then # alternate: reversed on even repeats
    order=(); for ((i=${#NAMES[@]}-1; i>=0; i--)); do order+=("${NAMES[$i]}"); done
  fi
  for n in "${order[@]}"; do
    t0="$(cpu_ticks)"; k0="$(cpu_ticks "$KAFKA_PID")"; a0="$(cpu_ticks "$ALL_PID")"; n0="$(cpu_ticks "$NONE_PID")"
    wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency "${URL[$n]}" > "$OUT/wrk-$n-$r.txt" 2>&1 || true
    t1="$(cpu_ticks)"; k1="$(cpu_ticks "$KAFKA_PID")"; a1="$(cpu_ticks "$ALL_PID")"; n1="$(cpu_ticks "$NONE_PID")"
    reqs="$(awk '/requests in/{print $1}' "$OUT/wrk-$n-$r.txt")"
    div=$(( ${reqs:-1} > 0 ? ${reqs:-1} : 1 ))
    cpu_us="$(( (t1 - t0) * TICK_US / div ))"
    printf '%s\t%s\t%s\tkafka_us_per_req=%s\tproxy_all_us_per_req=%s\tproxy_none_us_per_req=%s\n' "$r" "$n" "$reqs" \
      "$(( (k1 - k0) * TICK_US / div ))" "$(( (a1 - a0) * TICK_US / div ))" "$(( (n1 - n0) * TICK_US / div ))" >> "$OUT/cpu-detail.tsv"
    rps="$(awk '/^Requests\/sec/{print $2}' "$OUT/wrk-$n-$r.txt")"
    p99="$(awk '$1=="99%"{print $2}' "$OUT/wrk-$n-$r.txt")"
    errs="$(grep -E 'Non-2xx|Socket errors' "$OUT/wrk-$n-$r.txt" | tr '\n' ' ' || true)"
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$n" "${rps:-0}" "${p99:-NA}" "$cpu_us" "$errs" >> "$OUT/results.tsv"
    log "repeat $r  $n  ${rps:-0} req/s  p99 ${p99:-NA}  server CPU ${cpu_us} us/req $errs  (load $(cut -d' ' -f1 /proc/loadavg))"
  done
done

# captured vs dropped on (c)
curl -s "http://127.0.0.1:$((P_ALL + 1000))/metrics" | grep -E '^tapline_proxy_captures' > "$OUT/capture-metrics.txt" || true

# ---- heap of the capturing proxy while forwarding 50 MB transfers ----
# nginx answers a POST to `return 200` before reading the body, which ends an upload early; uploads
# go to a JDK-server upstream that reads every byte, routed by a routing key.
"$JAVA" "${JOPTS[@]}" -cp "$CP" dev.tapline.proxy.BenchMain upstream $P_READER > "$OUT/reader.out" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do grep -q '^ready' "$OUT/reader.out" 2>/dev/null && break; sleep 0.1; done
curl -fs -X PUT -d "{\"upstream\":\"http://127.0.0.1:$P_READER\"}" "http://127.0.0.1:$((P_ALL + 1000))/routes/upload" > /dev/null
heap_used_kib() { "$JSTAT" -gc "$1" | awk 'NR==2{printf "%d\n", $4+$6+$8+$10}'; } # S0U S1U EU OU (KiB)
"$JCMD" "$ALL_PID" GC.run > /dev/null
sleep 1
IDLE_KIB="$(heap_used_kib "$ALL_PID")"
("$JSTAT" -gc "$ALL_PID" 100 > "$OUT/jstat-transfers.txt") &
JSTAT_PID=$!
CURLS=()
for i in 1 2 3 4; do
  curl -s -o /dev/null -w '%{http_code} down %{size_download}\n' "http://127.0.0.1:$P_ALL/big.bin" >> "$OUT/transfers.txt" &
  CURLS+=($!)
  curl -s -o "$OUT/upload-$i.json" -w '%{http_code} up %{size_upload}\n' -T "$OUT/big.bin" -X POST \
    -H 'x-routing-key: upload' -H 'Content-Type: application/octet-stream' "http://127.0.0.1:$P_ALL/upload" >> "$OUT/transfers.txt" &
  CURLS+=($!)
done
wait "${CURLS[@]}" || true
kill "$JSTAT_PID" 2>/dev/null || true
PEAK_KIB="$(awk 'NR>1 && $1 ~ /^[0-9.]+$/ {u=$4+$6+$8+$10; if (u>m) m=u} END{printf "%d\n", m}' "$OUT/jstat-transfers.txt")"
"$JCMD" "$ALL_PID" GC.run > /dev/null
sleep 1
AFTER_KIB="$(heap_used_kib "$ALL_PID")"
cat "$OUT"/upload-*.json >> "$OUT/transfers.txt" 2>/dev/null || true
echo "expected sha256 $(sha256sum "$OUT/big.bin" | cut -d' ' -f1)" >> "$OUT/transfers.txt"
printf 'idle_after_gc_kib\t%s\npeak_during_transfers_kib\t%s\nafter_transfers_after_gc_kib\t%s\n' \
  "$IDLE_KIB" "$PEAK_KIB" "$AFTER_KIB" > "$OUT/heap.tsv"

# ---- summary: medians and ratios ----
python3 - "$OUT" <<'PY'
import sys, statistics, collections
out = sys.argv[1]
rows = [l.rstrip('\n').split('\t') for l in open(f"{out}/results.tsv") if l.strip()]
def ms(v):
    v = v.strip()
    if v in ("NA", ""): return float('nan')
    for suf, f in (("us", 1e-3), ("ms", 1.0), ("s", 1e3)):
        if v.endswith(suf): return float(v[:-len(suf)]) * f
    return float(v)
rps, p99, cpu = collections.defaultdict(list), collections.defaultdict(list), collections.defaultdict(list)
for r, n, q, p, c, *_ in rows:
    rps[n].append(float(q)); p99[n].append(ms(p)); cpu[n].append(float(c))
med = {n: (statistics.median(rps[n]), statistics.median(p99[n])) for n in rps}
mcpu = {n: statistics.median(cpu[n]) for n in cpu}
ngx = med.get("d_nginx_proxy", (1, 0)); mir = med.get("e_nginx_mirror", (1, 0)); mitm = med.get("f_mitmdump", (1, 0))
base = mcpu.get("a_direct", 0)
print(f"{'target':<18}{'req/s (median)':>16}{'p99 ms':>10}{'vs nginx proxy':>16}{'vs nginx+mirror':>17}{'vs mitmdump':>13}{'server CPU us/req':>19}{'proxy CPU us/req':>18}")
for n in sorted(med):
    q, p = med[n]
    extra = mcpu[n] - base if n != "a_direct" else 0
    print(f"{n:<18}{q:>16.0f}{p:>10.2f}{q/ngx[0]:>16.2f}{q/mir[0]:>17.2f}{q/mitm[0]:>13.1f}{mcpu[n]:>19.0f}{extra:>18.0f}")
heap = dict(l.split('\t') for l in open(f"{out}/heap.tsv").read().split('\n') if l)
print()
print("heap (KiB): " + ", ".join(f"{k}={v}" for k, v in heap.items()))
print("peak above idle: %.1f MiB" % ((int(heap['peak_during_transfers_kib']) - int(heap['idle_after_gc_kib'])) / 1024))
PY
echo
cat "$OUT/capture-metrics.txt"
echo "machine: $(nproc) cpus, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -r)"
echo "raw results: $OUT"
