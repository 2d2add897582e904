#!/usr/bin/env bash
# HTTP/2 and TLS benchmark (not a test): h2load on loopback against the Tapline proxy and nginx
# proxying the same nginx upstream (HTTP/1.1, keepalive), capture none:
#   h2c (prior knowledge)  Tapline vs nginx `listen ... http2`
#   h2 over TLS (ALPN)     Tapline (--tls-cert/--tls-key) vs nginx `listen ... ssl http2`
#   HTTP/1.1 plain and over TLS, for the cost of TLS termination per request on kept-alive connections
#   HTTP/1.1 over TLS with a new connection per request, for the cost of a handshake
# Server-side CPU per request comes from /proc: nginx's master and workers (the upstream, and the
# proxy on the nginx rows) plus the Tapline JVM on its rows; minus the upstream alone (h1_direct),
# what the proxy costs.
#
# Usage: bench/proxy/h2.sh [REPEATS] [SECONDS]      (defaults: 2 repeats, 10 s per run)
# Env:   H2_CLIENTS (50 connections), H2_STREAMS (10 concurrent streams per connection), JAVA_HOME, OUT
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
REPEATS="${1:-2}"
SECS="${2:-10}"
CLIENTS="${H2_CLIENTS:-50}"
STREAMS="${H2_STREAMS:-10}"
OUT="${OUT:-$(mktemp -d /tmp/tapline-h2bench.XXXXXX)}"
if [[ -z "${JAVA_HOME:-}" && -d /usr/lib/jvm/temurin-25-jdk-amd64 ]]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

P_UP=18201 P_NGX_H2C=18202 P_NGX_TLS=18203 P_NGX_H1=18204 P_TAP=18205 P_TAP_TLS=18206
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  [[ -f "$OUT/nginx.pid" ]] && kill "$(cat "$OUT/nginx.pid")" 2>/dev/null || true
}
trap cleanup EXIT
log() { echo "[h2bench] $*" >&2; }

# ---- tools: h2load (Debian's nghttp2-client), nginx with http_v2 and ssl, openssl ----
missing=()
command -v h2load >/dev/null || missing+=(nghttp2-client)
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx-light)
command -v openssl >/dev/null || missing+=(openssl)
command -v curl >/dev/null || missing+=(curl)
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; }; then
    log "cannot install ${missing[*]}: this benchmark needs h2load; bench/proxy/run.sh (wrk, HTTP/1.1) is the fallback"
    exit 0
  fi
fi
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"

cd "$ROOT"
log "building the bench module"
source bench/build.sh
bench_build
CP="$BENCH_CP"
JOPTS=(--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Dorg.slf4j.simpleLogger.defaultLogLevel=warn)

# ---- a certificate for both (RSA 2048, as most deployments still use) ----
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1 \
  -keyout "$OUT/k.pem" -out "$OUT/c.pem" -days 1 >/dev/null 2>&1

cat > "$OUT/nginx.conf" <<NGX
worker_processes auto;
pid $OUT/nginx.pid;
error_log $OUT/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  http2_max_requests 1000000;
  client_body_temp_path $OUT/nginx-body;
  proxy_temp_path $OUT/nginx-proxy;
  ssl_certificate $OUT/c.pem;
  ssl_certificate_key $OUT/k.pem;
  ssl_protocols TLSv1.2 TLSv1.3;
  upstream app { server 127.0.0.1:$P_UP; keepalive 64; }
  server {
    listen 127.0.0.1:$P_UP;
    location = /orders/1 {
      default_type application/json;
      return 200 '{"id":"1","customer":"ann","items":[{"sku":"A-1","quantity":2,"price":9.99}],"total":19.98,"status":"NEW"}';
    }
  }
  server {
    listen 127.0.0.1:$P_NGX_H2C http2;
    location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
  server {
    listen 127.0.0.1:$P_NGX_TLS ssl http2;
    location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
  server {
    listen 127.0.0.1:$P_NGX_H1;
    location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
NGX
mkdir -p "$OUT/nginx-body" "$OUT/nginx-proxy"
"$NGINX" -c "$OUT/nginx.conf" -e "$OUT/nginx-error.log" 2>/dev/null || "$NGINX" -c "$OUT/nginx.conf"

"$JAVA" "${JOPTS[@]}" -cp "$CP" dev.tapline.proxy.BenchMain proxy "http://127.0.0.1:$P_UP" $P_TAP none > "$OUT/tap.out" 2>&1 &
TAP_PID=$!; PIDS+=($TAP_PID)
"$JAVA" "${JOPTS[@]}" -cp "$CP" dev.tapline.proxy.BenchMain proxy-tls "http://127.0.0.1:$P_UP" $P_TAP_TLS "$OUT/c.pem" "$OUT/k.pem" \
  > "$OUT/tap-tls.out" 2>&1 &
TAPTLS_PID=$!; PIDS+=($TAPTLS_PID)

wait_for() { for _ in $(seq 1 300); do curl -skf -o /dev/null "$1" && return 0; sleep 0.1; done; log "not reachable: $1"; return 1; }
for u in "http://127.0.0.1:$P_UP/orders/1" "http://127.0.0.1:$P_NGX_H1/orders/1" "http://127.0.0.1:$P_TAP/orders/1" \
  "https://127.0.0.1:$P_NGX_TLS/orders/1" "https://127.0.0.1:$P_TAP_TLS/orders/1"; do wait_for "$u"; done
log "all up ($(cat "$OUT/tap-tls.out")); results in $OUT"

nginx_pids() { local m; m="$(cat "$OUT/nginx.pid")"; echo "$m" $(pgrep -P "$m"); }
cpu_ticks() {
  local t=0 p f
  for p in "$@"; do
    f="$(cat "/proc/$p/stat" 2>/dev/null)" || continue
    f="${f##*) }"; set -- $f; t=$((t + ${12} + ${13}))
  done
  echo "$t"
}
TICK_US=$((1000000 / $(getconf CLK_TCK)))

# name -> h2load arguments, and whose CPU counts (always nginx, which is also the upstream)
declare -A ARGS PROC
ARGS[h2c_tapline]="-c $CLIENTS -m $STREAMS http://127.0.0.1:$P_TAP/orders/1";          PROC[h2c_tapline]=tap
ARGS[h2c_nginx]="-c $CLIENTS -m $STREAMS http://127.0.0.1:$P_NGX_H2C/orders/1";        PROC[h2c_nginx]=nginx
ARGS[h2_tls_tapline]="-c $CLIENTS -m $STREAMS https://127.0.0.1:$P_TAP_TLS/orders/1";  PROC[h2_tls_tapline]=taptls
ARGS[h2_tls_nginx]="-c $CLIENTS -m $STREAMS https://127.0.0.1:$P_NGX_TLS/orders/1";    PROC[h2_tls_nginx]=nginx
ARGS[h1_tapline]="--h1 -c $CLIENTS http://127.0.0.1:$P_TAP/orders/1";                  PROC[h1_tapline]=tap
ARGS[h1_tls_tapline]="--h1 -c $CLIENTS https://127.0.0.1:$P_TAP_TLS/orders/1";         PROC[h1_tls_tapline]=taptls
ARGS[h1_nginx]="--h1 -c $CLIENTS http://127.0.0.1:$P_NGX_H1/orders/1";                 PROC[h1_nginx]=nginx
ARGS[h1_tls_nginx]="--h1 -c $CLIENTS https://127.0.0.1:$P_NGX_TLS/orders/1";           PROC[h1_tls_nginx]=nginx
ARGS[h1_direct]="--h1 -c $CLIENTS http://127.0.0.1:$P_UP/orders/1";                    PROC[h1_direct]=nginx
NAMES=(h1_direct h2c_tapline h2c_nginx h2_tls_tapline h2_tls_nginx h1_tapline h1_tls_tapline h1_nginx h1_tls_nginx)
pids_of() { case "$1" in tap) echo "$TAP_PID $(nginx_pids)";; taptls) echo "$TAPTLS_PID $(nginx_pids)";; nginx) nginx_pids;; esac; }

# warm-up: JIT, pools, TLS session machinery
for n in h2c_tapline h2_tls_tapline h1_tapline h1_tls_tapline; do h2load -D 4 ${ARGS[$n]} > /dev/null 2>&1 || true; done

: > "$OUT/results.tsv"
for r in $(seq 1 "$REPEATS"); do
  order=("${NAMES[@]}")
  if ((r % 2 == 0)); then order=(); for ((i=${#NAMES[@]}-1; i>=0; i--)); do order+=("${NAMES[$i]}"); done; fi
  for n in "${order[@]}"; do
    pids="$(pids_of "${PROC[$n]}")"
    t0="$(cpu_ticks $pids)"
    h2load -D "$SECS" ${ARGS[$n]} > "$OUT/h2load-$n-$r.txt" 2>&1 || true
    t1="$(cpu_ticks $pids)"
    done_n="$(awk '/^requests:/{print $8}' "$OUT/h2load-$n-$r.txt")"
    ok="$(awk '/^status codes:/{print $3}' "$OUT/h2load-$n-$r.txt")"
    rps="$(awk '/^finished in/{gsub(",",""); print $4}' "$OUT/h2load-$n-$r.txt")"
    mean="$(awk '/^time for request:/{print $6}' "$OUT/h2load-$n-$r.txt")"
    div=$(( ${done_n:-1} > 0 ? ${done_n:-1} : 1 ))
    cpu_us=$(( (t1 - t0) * TICK_US / div ))
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$n" "${rps:-0}" "${mean:-NA}" "$cpu_us" "${done_n:-0}" "${ok:-0}" >> "$OUT/results.tsv"
    log "repeat $r  $n  ${rps:-0} req/s  mean ${mean:-NA}  server CPU ${cpu_us} us/req  (${ok:-0} 2xx of ${done_n:-0}; load $(cut -d' ' -f1 /proc/loadavg))"
  done
done

# ---- a new TLS connection per request (HTTP/1.1): the handshake's cost ----
: > "$OUT/handshakes.tsv"
for n in tapline nginx; do
  if [[ $n == tapline ]]; then url="https://127.0.0.1:$P_TAP_TLS/orders/1"; pids="$TAPTLS_PID $(nginx_pids)"; else url="https://127.0.0.1:$P_NGX_TLS/orders/1"; pids="$(nginx_pids)"; fi
  t0="$(cpu_ticks $pids)"; s0="$(date +%s.%N)"; total=0
  for i in $(seq 1 20); do # 20 x 100 connections, each with one request
    h2load --h1 -n 100 -c 100 "$url" > "$OUT/hs-$n-$i.txt" 2>&1 || true
    total=$((total + $(awk '/^requests:/{print $8}' "$OUT/hs-$n-$i.txt")))
  done
  s1="$(date +%s.%N)"; t1="$(cpu_ticks $pids)"
  printf '%s\t%s\t%s\t%s\n' "$n" "$total" "$(( (t1 - t0) * TICK_US / (total > 0 ? total : 1) ))" \
    "$(python3 -c "print(round($total / ($s1 - $s0)))")" >> "$OUT/handshakes.tsv"
  log "new TLS connection per request, $n: $total requests, $(tail -1 "$OUT/handshakes.tsv" | cut -f3) us server CPU each"
done

python3 - "$OUT" <<'PY'
import sys, statistics, collections
out = sys.argv[1]
rows = [l.rstrip('\n').split('\t') for l in open(f"{out}/results.tsv") if l.strip()]
def ms(v):
    for suf, f in (("us", 1e-3), ("ms", 1.0), ("s", 1e3)):
        if v.endswith(suf): return float(v[:-len(suf)]) * f
    return float('nan')
rps, mean, cpu, bad = collections.defaultdict(list), collections.defaultdict(list), collections.defaultdict(list), collections.Counter()
for r, n, q, m, c, done, ok in rows:
    rps[n].append(float(q)); mean[n].append(ms(m)); cpu[n].append(float(c))
    if int(done or 0) != int(ok or 0): bad[n] += 1
med = {n: statistics.median(v) for n, v in rps.items()}
base = statistics.median(cpu.get("h1_direct", [0]))
print(f"{'target':<16}{'req/s (median)':>16}{'mean ms':>9}{'server CPU us/req':>19}{'proxy CPU us/req':>18}{'vs nginx':>10}")
for n in ["h1_direct", "h2c_tapline", "h2c_nginx", "h2_tls_tapline", "h2_tls_nginx", "h1_tapline", "h1_nginx", "h1_tls_tapline", "h1_tls_nginx"]:
    if n not in med: continue
    ref = med.get(n.replace("tapline", "nginx"), float('nan'))
    print(f"{n:<16}{med[n]:>16.0f}{statistics.median(mean[n]):>9.2f}{statistics.median(cpu[n]):>19.0f}"
          f"{statistics.median(cpu[n]) - base if n != 'h1_direct' else 0:>18.0f}{med[n]/ref:>10.2f}"
          + (f"   ({bad[n]} runs with non-2xx)" if bad[n] else ""))
c = {n: statistics.median(v) for n, v in cpu.items()}
for who in ("tapline", "nginx"):
    print(f"TLS termination, {who}: +{c[f'h1_tls_{who}'] - c[f'h1_{who}']:.0f} us CPU per request on kept-alive HTTP/1.1 connections"
          f" ({c[f'h1_tls_{who}']:.0f} vs {c[f'h1_{who}']:.0f})")
for l in open(f"{out}/handshakes.tsv"):
    n, total, us, r = l.split()
    print(f"new TLS connection per request, {n}: {us} us server CPU per request ({int(us) - base:.0f} us above the"
          f" upstream's), {r} req/s ({total} requests)")
PY
echo "machine: $(nproc) cpus, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -r); $(h2load --version | head -1); nginx $("$NGINX" -v 2>&1 | cut -d/ -f2)"
echo "raw results: $OUT"
