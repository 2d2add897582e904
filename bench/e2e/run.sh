#!/usr/bin/env bash
# Capture-to-searchable and capture-to-live latency through the whole pipeline (proxy → Kafka →
# recorder → search API and live stream):
# starts `tapline up --demo` on free ports and drives a steady load with unique paths.
# Usage: bench/e2e/run.sh [RPS] [SECONDS] [WARM_UP_SECONDS] [MODES]   MODES: search,stream,view (default all)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
RPS=${1:-200}; SECS=${2:-20}; WARM=${3:-15}; MODES=${4:-search,stream,view}
if [[ -z "${JAVA_HOME:-}" && -d /usr/lib/jvm/temurin-25-jdk-amd64 ]]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
# The bench module (dev.tapline.bench.e2e.CaptureToSearchable) and the CLI jar, so that ./tapline
# finds its jar fresh and does not build it itself.
source bench/build.sh
bench_build cli
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()'; }
P=$(free_port); H=$(free_port); K=$(free_port); D=$(mktemp -d)
./tapline up --demo --proxy-port "$P" --http-port "$H" --kafka-port "$K" --data-dir "$D" > "$D/up.log" 2>&1 &
UP=$!
trap 'kill $UP 2>/dev/null; wait $UP 2>/dev/null; rm -rf "$D"' EXIT
for i in $(seq 1 240); do grep -q "tapline ready" "$D/up.log" && break; sleep 0.5; done
grep -q "tapline ready" "$D/up.log" || { tail -5 "$D/up.log"; echo "tapline up did not start"; exit 1; }
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
rc=0
"$JAVA" -cp "$BENCH_CP" dev.tapline.bench.e2e.CaptureToSearchable "http://127.0.0.1:$P" "http://127.0.0.1:$H" "$RPS" "$SECS" "$WARM" "$MODES" || rc=$?
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg) (the host's other work shares the cores)"
exit $rc
