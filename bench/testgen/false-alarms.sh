#!/usr/bin/env bash
# False alarms of generated tests (not a test): how many tests that `tapline generate` writes fail
# against the very service they were recorded from, before and after the trustworthy-tests work.
#
#   bench/testgen/false-alarms.sh
#
# For two services, the clinic example (ClinicService v1 under /clinic/api) and a real json-server
# 0.17.4 (examples/json-server, a fresh copy of its db.json), it:
#   1. records one traffic set through the real capture proxy, Kafka and the recorder (`tapline up`),
#      and exports it to NDJSON (`tapline export`);
#   2. generates a suite from that same file with the old generator (OLD_REF, default e3c89a3, built
#      with `package` in a temporary git worktree; nothing is installed into ~/.m2) and with this
#      checkout's generator (new), and gives both the pom.xml the new one writes (--build maven);
#   3. runs each suite with `mvn test` against a fresh instance of the same service, then against a
#      second fresh instance twice (restart, then dirty: the same instance again), then on that
#      instance once more in a random order (classes and methods, fixed seed);
#   4. prints a table: service x generator x run -> tests, failed (failures + errors), and writes it
#      with the failing tests' names to RESULTS (default bench/results/false-alarms/).
# Every process it starts is stopped and the temporary worktree removed on exit.
#
# Environment: OLD_REF (e3c89a3), OLD_JAR / NEW_JAR (skip building that side), MVN (mvn, else the
# Maven Wrapper), MVN_FLAGS (-o: offline; empty to let Maven download), CLINIC_REQUESTS (300),
# SEED (42: the random-order run), RESULTS.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
export PATH="$JAVA_HOME/bin:$PATH"
JAVA="$JAVA_HOME/bin/java"
OLD_REF="${OLD_REF:-e3c89a3}"
MVN_FLAGS="${MVN_FLAGS--o}"
CLINIC_REQUESTS="${CLINIC_REQUESTS:-300}"
SEED="${SEED:-42}"
RESULTS="${RESULTS:-$ROOT/bench/results/false-alarms}"
if [[ -z "${MVN:-}" ]]; then
  if command -v mvn >/dev/null; then MVN=mvn; else MVN="$ROOT/mvnw"; fi
fi
JS_DIR="$ROOT/examples/json-server"

WORK="$(mktemp -d /tmp/tapline-false-alarms.XXXXXX)"
PIDS=()
OLD_TREE=""

log() { printf '[false-alarms %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

# Stops one process this script started (its own session, so its children go too) and waits for it.
stop() {
  local pid="$1"
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.2; done
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do stop "$pid"; done
  if [[ -n "$OLD_TREE" ]]; then git -C "$ROOT" worktree remove --force "$OLD_TREE" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Starts a command in its own session; sets STARTED to its pid.
start_bg() {
  local logfile="$1"; shift
  setsid "$@" >"$logfile" 2>&1 &
  STARTED=$!
  PIDS+=("$STARTED")
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

wait_http() { # URL SECONDS
  local i
  for i in $(seq 1 $(($2 * 5))); do
    curl -s -o /dev/null --max-time 2 "$1" && return 0
    sleep 0.2
  done
  echo "false-alarms: nothing answered at $1 within $2 s" >&2
  return 1
}

wait_log() { # FILE TEXT SECONDS
  local i
  for i in $(seq 1 $(($3 * 5))); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 0.2
  done
  echo "false-alarms: '$2' did not appear in $1 within $3 s:" >&2
  tail -20 "$1" >&2
  return 1
}

# ---------------------------------------------------------------------------------------------------
# Build: this checkout's CLI (new) and OLD_REF's (old), both with `package` only.
if [[ -z "${NEW_JAR:-}" ]]; then
  log "building this checkout's CLI (./mvnw -pl cli -am package -DskipTests)"
  ./mvnw -q -B $MVN_FLAGS -pl cli -am package -DskipTests >&2
  NEW_JAR="$ROOT/cli/target/tapline.jar"
fi
if [[ -z "${OLD_JAR:-}" ]]; then
  OLD_TREE="$WORK/old-tree"
  log "building $OLD_REF's CLI in a temporary worktree"
  git -C "$ROOT" worktree add --detach "$OLD_TREE" "$OLD_REF" >/dev/null 2>&1
  (cd "$OLD_TREE" && ./mvnw -q -B $MVN_FLAGS -pl cli -am package -DskipTests) >&2
  cp "$OLD_TREE/cli/target/tapline.jar" "$WORK/old-tapline.jar"
  git -C "$ROOT" worktree remove --force "$OLD_TREE"
  OLD_TREE=""
  OLD_JAR="$WORK/old-tapline.jar"
fi
# The flags the ./tapline launcher gives the JVM (it is not used: it would install a stale build).
TAPLINE=("$JAVA" --enable-native-access=ALL-UNNAMED -XX:+UseG1GC)
if [[ "$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p')" -ge 24 ]]; then
  TAPLINE+=(--sun-misc-unsafe-memory-access=allow)
fi
TAPLINE+=(-jar "$NEW_JAR")

if [[ ! -x "$JS_DIR/node_modules/.bin/json-server" ]]; then
  log "installing json-server from examples/json-server/package-lock.json (npm ci)"
  (cd "$JS_DIR" && npm ci --no-audit --no-fund --loglevel=error) >&2
fi
JS_VERSION="$(node -p 'require(process.argv[1]).version' "$JS_DIR/node_modules/json-server/package.json")"

# ---------------------------------------------------------------------------------------------------
# The services, fresh: sets SERVICE_PID and SERVICE_BASE (scheme, host and port only).
start_clinic() {
  local port; port="$(free_port)"
  start_bg "$WORK/clinic-$port.log" "$JAVA" -cp "$NEW_JAR" dev.tapline.examples.clinic.ClinicService v1 "$port"
  SERVICE_PID=$STARTED
  SERVICE_BASE="http://127.0.0.1:$port"
  wait_http "$SERVICE_BASE/clinic/api/vets" 60
}

start_json_server() {
  local port dir; port="$(free_port)"
  dir="$(mktemp -d "$WORK/json-server.XXXXXX")"
  cp "$JS_DIR/db.json" "$dir/db.json"
  # As the JsonServer test fixture does: the copy's directory is the working directory.
  start_bg "$dir/json-server.log" bash -c 'cd "$1" && exec "$2" --port "$3" --host 127.0.0.1 db.json' _ \
    "$dir" "$JS_DIR/node_modules/.bin/json-server" "$port"
  SERVICE_PID=$STARTED
  SERVICE_BASE="http://127.0.0.1:$port"
  wait_http "$SERVICE_BASE/db" 30
}

# ---------------------------------------------------------------------------------------------------
# Recording through `tapline up`: UP_PROXY and UP_HTTP.
start_up() { # NAME ARGS...
  local name="$1"; shift
  UP_PROXY="$(free_port)"; UP_HTTP="$(free_port)"
  start_bg "$WORK/up-$name.log" "${TAPLINE[@]}" up --data-dir "$WORK/up-$name" --kafka-port 0 \
    --proxy-port "$UP_PROXY" --http-port "$UP_HTTP" "$@"
  UP_PID=$STARTED
  wait_log "$WORK/up-$name.log" "tapline ready" 120
}

# Exports QUERY once the recorder holds EXPECTED exchanges (and no more arrive).
export_when_indexed() { # QUERY EXPECTED OUT
  local n=-1 last=-2 i
  for i in $(seq 1 60); do
    "${TAPLINE[@]}" export --from "http://127.0.0.1:$UP_HTTP" --query "$1" --out "$3" >/dev/null 2>&1 || true
    n="$(wc -l <"$3" 2>/dev/null || echo 0)"
    if [[ "$n" -ge "$2" && "$n" -eq "$last" ]]; then return 0; fi
    last="$n"
    sleep 1
  done
  echo "false-alarms: the recorder holds $n exchanges for '$1', expected $2" >&2
  return 1
}

record_clinic() {
  log "recording the clinic: tapline up --demo clinic, demo-traffic --api clinic --requests $CLINIC_REQUESTS"
  start_up clinic --demo clinic
  "${TAPLINE[@]}" demo-traffic --api clinic --target "http://127.0.0.1:$UP_PROXY" --requests "$CLINIC_REQUESTS" \
    | tee "$WORK/clinic-traffic.txt" >&2
  export_when_indexed 'service:clinic' "$CLINIC_REQUESTS" "$RESULTS/clinic.ndjson"
  stop "$UP_PID"
}

# A blog's traffic against json-server, through the proxy: creates, reads, lists, filters, updates,
# deletes and misses. JS_SENT counts the requests; the last answer's body is in $WORK/js-last.json.
JS_SENT=0
js() { # METHOD PATH [JSON]
  JS_SENT=$((JS_SENT + 1))
  local args=(-s -o "$WORK/js-last.json" -X "$1" "http://127.0.0.1:$UP_PROXY$2")
  if [[ $# -ge 3 ]]; then args+=(-H 'Content-Type: application/json' -d "$3"); fi
  curl "${args[@]}"
}
blog_traffic() {
  local posts=() comments=() id i authors=(ann bob cid)
  for i in 1 2 3 4 5 6; do
    js POST /posts "{\"title\":\"post $i\",\"author\":\"${authors[$((i % 3))]}\",\"published\":$([[ $((i % 2)) == 0 ]] && echo true || echo false)}"
    posts+=("$(jq -r .id "$WORK/js-last.json")")
  done
  for id in "${posts[@]}"; do
    js GET "/posts/$id"
    js POST /comments "{\"body\":\"comment on $id\",\"postId\":$id}"
    comments+=("$(jq -r .id "$WORK/js-last.json")")
    js GET "/comments?postId=$id"
  done
  js GET /posts
  js GET /comments
  js GET '/posts?author=ann'
  js GET "/comments/${comments[0]}"
  js PATCH "/posts/${posts[0]}" '{"title":"edited"}'
  js PATCH "/comments/${comments[1]}" '{"body":"edited comment"}'
  js PUT "/posts/${posts[1]}" '{"title":"replaced","author":"bob","published":true}'
  js DELETE "/comments/${comments[2]}"
  js DELETE "/posts/${posts[3]}"
  js GET "/posts/${posts[3]}"
  js GET /posts/9999
  js GET /profile
  js PUT /profile '{"name":"typicode-fixture"}'
}

record_json_server() {
  log "recording json-server $JS_VERSION: tapline up --service js --upstream <json-server>, a blog's CRUD mix with curl"
  start_json_server
  local js_pid=$SERVICE_PID
  start_up js --service js --upstream "$SERVICE_BASE"
  blog_traffic
  log "sent $JS_SENT requests to json-server through the proxy"
  export_when_indexed 'service:js' "$JS_SENT" "$RESULTS/js.ndjson"
  stop "$UP_PID"
  stop "$js_pid"
}

# ---------------------------------------------------------------------------------------------------
# Generation from the same NDJSON with both generators; the old suite gets the new one's pom.xml.
generate() { # SERVICE PACKAGE
  local svc="$1" pkg="$2"
  rm -rf "$RESULTS/$svc-old" "$RESULTS/$svc-new"
  "$JAVA" -jar "$OLD_JAR" generate --from "$RESULTS/$svc.ndjson" --out "$RESULTS/$svc-old/src/test" \
    --package "$pkg" >"$RESULTS/$svc-old.generate.txt" 2>&1
  "${TAPLINE[@]}" generate --from "$RESULTS/$svc.ndjson" --out "$RESULTS/$svc-new/src/test" \
    --package "$pkg" --build maven >"$RESULTS/$svc-new.generate.txt" 2>&1
  cp "$RESULTS/$svc-new/pom.xml" "$RESULTS/$svc-old/pom.xml"
  log "$svc: old: $(grep -m1 '^Read ' "$RESULTS/$svc-old.generate.txt")"
  log "$svc: new: $(grep -m1 '^Read ' "$RESULTS/$svc-new.generate.txt")"
}

# One `mvn test` of a suite; appends a row to the table, the failing tests to failures.txt and the
# order the tests ran in to SERVICE-GENERATOR.runN.order.txt.
TABLE="$RESULTS/table.tsv"
run_suite() { # SERVICE GENERATOR RUN BASE_URI [MVN ARGS...]
  local svc="$1" gen="$2" run="$3" base="$4"; shift 4
  local dir="$RESULTS/$svc-$gen" n="${run%% *}" out counts
  rm -rf "$dir/target/surefire-reports"
  out="$RESULTS/$svc-$gen.run$n.mvn.txt"
  (cd "$dir" && "$MVN" $MVN_FLAGS -B test -Dmaven.test.failure.ignore=true -Dtapline.baseUri="$base" "$@") >"$out" 2>&1 || true
  if ls "$dir"/target/surefire-reports/TEST-*.xml >/dev/null 2>&1; then
    counts="$(python3 - "$dir/target/surefire-reports" "$svc $gen $run" "$RESULTS/failures.txt" \
      "$RESULTS/$svc-$gen.run$n.order.txt" <<'PY'
import glob, os, sys, xml.etree.ElementTree as ET
reports, label, failures, order = sys.argv[1:5]
tests = failed = skipped = 0
# Surefire names the classes in the order they ran and lists each class's tests in that order.
files = sorted(glob.glob(reports + "/TEST-*.xml"), key=os.path.getmtime)
with open(failures, "a") as f, open(order, "w") as o:
    for p in files:
        root = ET.parse(p).getroot()
        tests += int(root.get("tests", 0))
        failed += int(root.get("failures", 0)) + int(root.get("errors", 0))
        skipped += int(root.get("skipped", 0))
        for c in root.iter("testcase"):
            name = c.get("classname").rsplit(".", 1)[-1] + "." + c.get("name")
            o.write(name + "\n")
            for k in ("failure", "error"):
                e = c.find(k)
                if e is not None:
                    msg = (e.get("message") or e.get("type") or "").replace("\n", " ")[:300]
                    f.write(f"{label}\t{name}\t{msg}\n")
print(tests, failed, skipped, sep="\t")
PY
)"
  else
    counts="-"$'\t'"no test report (see $(basename "$out"))"$'\t'"-"
  fi
  printf '%s\t%s\t%s\t%s\n' "$svc" "$gen" "$run" "$counts" | tee -a "$TABLE" >&2
}

# Fresh, then fresh after a restart, the same instance again (dirty), and a random order on it.
run_all() { # SERVICE START_FUNCTION BASE_PATH_FOR_NEW
  local svc="$1" starter="$2" newpath="$3" gen path
  for gen in old new; do
    # The old generator's paths are the recorded ones (base path included); the new one's are
    # relative to the base path, which tapline.baseUri carries.
    if [[ "$gen" == new ]]; then path="$newpath"; else path=""; fi
    $starter
    run_suite "$svc" "$gen" "1 fresh" "$SERVICE_BASE$path"
    stop "$SERVICE_PID"
    $starter
    run_suite "$svc" "$gen" "2 fresh (restart)" "$SERVICE_BASE$path"
    run_suite "$svc" "$gen" "3 dirty (same instance)" "$SERVICE_BASE$path"
    run_suite "$svc" "$gen" "4 random order (same instance)" "$SERVICE_BASE$path" \
      -Dsurefire.runOrder=random -Dsurefire.runOrder.random.seed="$SEED" \
      '-Djunit.jupiter.testmethod.order.default=org.junit.jupiter.api.MethodOrderer$Random' \
      -Djunit.jupiter.execution.order.random.seed="$SEED"
    stop "$SERVICE_PID"
  done
}

# ---------------------------------------------------------------------------------------------------
mkdir -p "$RESULTS"
rm -rf "$RESULTS"/*.tsv "$RESULTS"/*.txt "$RESULTS"/*.ndjson "$RESULTS"/clinic-* "$RESULTS"/js-*
touch "$RESULTS/failures.txt"
STARTED_AT="$(date -u '+%Y-%m-%d %H:%M UTC')"
log "results in $RESULTS; old generator $OLD_REF ($OLD_JAR), new $(git rev-parse --short HEAD) ($NEW_JAR); mvn: $MVN $MVN_FLAGS"

record_clinic
record_json_server
generate clinic com.example.clinic
generate js com.example.blog

# The new generator's base path: what its TaplineTarget puts after the host by default.
new_base_path() { # SERVICE PACKAGE_DIR
  sed -n 's|.*"http://localhost:8080\([^"]*\)".*|\1|p' "$RESULTS/$1-new/src/test/java/$2/TaplineTarget.java" | head -1
}
CLINIC_PATH="$(new_base_path clinic com/example/clinic)"
JS_PATH="$(new_base_path js com/example/blog)"
log "base paths of the new suites: clinic '$CLINIC_PATH', json-server '$JS_PATH'"

printf 'service\tgenerator\trun\ttests\tfailed\tskipped\n' >"$TABLE"
run_all clinic start_clinic "$CLINIC_PATH"
run_all js start_json_server "$JS_PATH"

{
  echo "False alarms: generated tests failing against the service they were recorded from"
  echo "started $STARTED_AT; old = $OLD_REF, new = $(git rev-parse --short HEAD); json-server $JS_VERSION;"
  echo "clinic: $(wc -l <"$RESULTS/clinic.ndjson") exchanges recorded, json-server: $(wc -l <"$RESULTS/js.ndjson")"
  echo
  column -t -s $'\t' "$TABLE"
  echo
  echo "failed = failures + errors (surefire reports); failing tests in $RESULTS/failures.txt"
} | tee "$RESULTS/summary.txt"
