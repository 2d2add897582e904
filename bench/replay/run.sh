#!/usr/bin/env bash
# Replay benchmark (not a test). Builds the bench module (bench/build.sh) and runs its harness
# dev.tapline.replay.ReplayBench: diff cost for 1 KB / 100 KB / 1 MB JSON pairs, then 10,000 recorded
# exchanges replayed end to end (3 requests each) against a fast local service. Prints medians.
#   bench/replay/run.sh [EXCHANGES]
set -euo pipefail
cd "$(dirname "$0")/../.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
source bench/build.sh
bench_build
# The harness lives in the replay package to time the package-private diff directly.
"$JAVA_HOME/bin/java" ${BENCH_JAVA_OPTS:-} -Xms512m -Xmx2g -XX:+UseParallelGC -cp "$BENCH_CP" dev.tapline.replay.ReplayBench "$@"
