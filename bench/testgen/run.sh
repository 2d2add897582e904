#!/usr/bin/env bash
# Test generation benchmark (not a test): bench/testgen/run.sh [exchanges]
# Builds the bench module first (bench/build.sh); the program is dev.tapline.bench.testgen.TestgenBench.
set -euo pipefail
cd "$(dirname "$0")/../.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
source bench/build.sh
bench_build
exec "$JAVA_HOME/bin/java" -Xmx512m -XX:+UseParallelGC -cp "$BENCH_CP" dev.tapline.bench.testgen.TestgenBench "$@"
