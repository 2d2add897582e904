#!/usr/bin/env bash
# Contract check for one pull request, as a plain shell script (github-actions.yml is the same loop
# for GitHub Actions; see README.md):
#   1. start the sandbox build of the service (or use one that is already running),
#   2. run the committed generated contract tests against it with Maven,
#   3. replay recorded traffic against the sandbox and the baseline (tapline replay),
#   4. leave every report in $REPORT_DIR and fail on breaking drift.
#
# Configuration (environment):
#   EXCHANGES      recorded traffic: an NDJSON file, or the recorder URL (required)
#   QUERY          recorder query when EXCHANGES is a URL, e.g. 'service:orders AND target:baseline'
#   BASELINE_URL   the shared baseline                      } two-URL mode
#   SANDBOX_URL    where the sandbox build answers          }
#   TARGET_URL     one ingress / capture proxy URL          } routing-key mode (instead of the two above)
#   ROUTING_KEY    the sandbox's routing key                }
#   SANDBOX_CMD    command that starts the sandbox build in the background (optional)
#   HEALTH_URL     polled until the sandbox answers          (default: $SANDBOX_URL/healthz)
#   TESTS_POM      pom.xml that runs the generated tests     (default: pom.xml; SKIP_TESTS=1 skips)
#   REPORT_DIR     where the reports go                      (default: target/tapline)
#   FAIL_ON        breaking | compatible | none              (default: breaking)
#   AUTH_HEADER    a real credential for the tests and replay, e.g. "Authorization: Bearer $TOKEN"
#   REPLAY_ARGS    more tapline replay flags, e.g. "--ignore \$.meta.requestId --rate 50"
#   TAPLINE        how to run tapline                        (default: tapline on PATH, else ./tapline)
#
# Exit code: 0 all good; 1 tests failed or drift at or above FAIL_ON; 2 bad configuration or input;
# 3 the sandbox or the baseline was unreachable or failing (not a contract problem).
#
#   examples/ci/contract-check.sh --demo
# runs the loop on this repository's orders example: baseline v1 and sandbox v2 (customer renamed,
# total now a string, currency added) from the tapline jar, replaying examples/ci/orders-exchanges.ndjson.
# It ends with exit code 1 and the breaking differences listed: that is the point of the demo.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

die() { echo "contract-check: $*" >&2; exit 2; }

wait_for() { # URL SECONDS
  local url="$1" deadline=$((SECONDS + $2))
  until curl -fsS -o /dev/null "$url" 2>/dev/null; do
    (( SECONDS < deadline )) || { echo "contract-check: $url did not come up in $2s" >&2; exit 3; }
    sleep 0.5
  done
}

if [[ "${1:-}" == "--demo" ]]; then
  cd "$root"
  ./tapline --version >/dev/null || die "cannot build or run ./tapline"
  java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
  "$java" -cp cli/target/tapline.jar dev.tapline.examples.OrdersService v1 18081 >/dev/null & pids+=($!)
  "$java" -cp cli/target/tapline.jar dev.tapline.examples.OrdersService v2 18082 >/dev/null & pids+=($!)
  export BASELINE_URL=http://127.0.0.1:18081 SANDBOX_URL=http://127.0.0.1:18082
  export EXCHANGES="$here/orders-exchanges.ndjson" TAPLINE=./tapline
  export SKIP_TESTS="${SKIP_TESTS:-1}"   # the demo has no generated tests of its own
  # Disposable targets: POSTs may be replayed here (never against a shared baseline).
  export REPLAY_ARGS="${REPLAY_ARGS:-} --methods GET,HEAD,OPTIONS,POST"
  wait_for "$BASELINE_URL/healthz" 30
fi

: "${EXCHANGES:?set EXCHANGES to an NDJSON file or the recorder URL}"
REPORT_DIR="${REPORT_DIR:-target/tapline}"
FAIL_ON="${FAIL_ON:-breaking}"
if [[ -z "${TAPLINE:-}" ]]; then
  if command -v tapline >/dev/null; then TAPLINE=tapline; else TAPLINE="$root/tapline"; fi
fi

if [[ -n "${TARGET_URL:-}" ]]; then
  [[ -n "${ROUTING_KEY:-}" ]] || die "TARGET_URL needs ROUTING_KEY"
  targets=(--target "$TARGET_URL" --routing-key "$ROUTING_KEY")
  tests_uri="$TARGET_URL"
else
  [[ -n "${BASELINE_URL:-}" && -n "${SANDBOX_URL:-}" ]] || die "set BASELINE_URL and SANDBOX_URL, or TARGET_URL and ROUTING_KEY"
  targets=(--baseline "$BASELINE_URL" --sandbox "$SANDBOX_URL")
  tests_uri="$SANDBOX_URL"
fi

# 1. The sandbox.
if [[ -n "${SANDBOX_CMD:-}" ]]; then
  echo "== starting the sandbox: $SANDBOX_CMD"
  bash -c "$SANDBOX_CMD" & pids+=($!)
fi
health="${HEALTH_URL:-${SANDBOX_URL:-$TARGET_URL}/healthz}"
echo "== waiting for $health"
wait_for "$health" "${HEALTH_TIMEOUT:-120}"

# 2. The committed generated tests, against the sandbox.
tests_rc=0
if [[ "${SKIP_TESTS:-0}" != 1 ]]; then
  pom="${TESTS_POM:-pom.xml}"
  [[ -f "$pom" ]] || die "no $pom with the generated tests (set TESTS_POM, or SKIP_TESTS=1)"
  mvn_cmd=(mvn); [[ -x ./mvnw ]] && mvn_cmd=(./mvnw)
  echo "== generated contract tests against $tests_uri"
  # The tests read extra headers (real credentials) from TAPLINE_HEADERS, e.g. "Authorization: Bearer x".
  [[ -n "${AUTH_HEADER:-}" && -z "${TAPLINE_HEADERS:-}" ]] && export TAPLINE_HEADERS="$AUTH_HEADER"
  "${mvn_cmd[@]}" -B -ntp -f "$pom" verify -Dtapline.baseUri="$tests_uri" ${ROUTING_KEY:+-Dtapline.routingKey="$ROUTING_KEY"} || tests_rc=$?
fi

# 3. Replay recorded traffic: sandbox vs baseline.
echo "== tapline replay ($FAIL_ON fails the check)"
replay=($TAPLINE replay --from "$EXCHANGES" "${targets[@]}" --report-dir "$REPORT_DIR" --fail-on "$FAIL_ON")
[[ -n "${QUERY:-}" ]] && replay+=(--query "$QUERY")
[[ -n "${AUTH_HEADER:-}" ]] && replay+=(--header "$AUTH_HEADER")
# shellcheck disable=SC2206  # REPLAY_ARGS is a list of flags on purpose
[[ -n "${REPLAY_ARGS:-}" ]] && replay+=(${REPLAY_ARGS})
"${replay[@]}"
replay_rc=$?

# 4. Reports stay in $REPORT_DIR (junit.xml, summary.md, report.html, drift.json) for the CI system.
[[ -f "$REPORT_DIR/summary.md" ]] && { echo; cat "$REPORT_DIR/summary.md"; }
case "$replay_rc" in
  0) ;;
  1) echo "contract-check: drift at or above '$FAIL_ON' - see $REPORT_DIR/report.html" >&2 ;;
  2) echo "contract-check: tapline replay rejected its input or flags" >&2; exit 2 ;;
  3) echo "contract-check: a target was unreachable or failing; this is not a contract verdict" >&2; exit 3 ;;
  *) echo "contract-check: tapline replay failed ($replay_rc)" >&2; exit "$replay_rc" ;;
esac
if (( tests_rc != 0 )); then
  echo "contract-check: the generated contract tests failed against the sandbox" >&2
  exit 1
fi
exit "$replay_rc"
