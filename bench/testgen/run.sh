#!/usr/bin/env bash
# Test generation benchmark (not a test): bench/testgen/run.sh [exchanges]
#   bench/testgen/run.sh verify [requests] [runs]: generate --verify on 200 endpoints of a local service
# Builds the bench module first (bench/build.sh); the programs are dev.tapline.bench.testgen.TestgenBench
# and VerifyBench.
set -euo pipefail
cd "$(dirname "$0")/../.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
source bench/build.sh
bench_build
if [[ "${1:-}" == verify ]]; then
  shift
  exec "$JAVA_HOME/bin/java" -Xmx1g -cp "$BENCH_CP" dev.tapline.bench.testgen.VerifyBench "$@"
fi
exec "$JAVA_HOME/bin/java" -Xmx512m -XX:+UseParallelGC -cp "$BENCH_CP" dev.tapline.bench.testgen.TestgenBench "$@"
