#!/usr/bin/env bash
# Recorder benchmark (not a test): produce N synthetic exchanges (orders API, JSON bodies 0.5-4 KB)
# to an embedded broker, index them with a recorder from the topic, report ingest rate, index size
# per exchange vs raw NDJSON, and search latency p50/p99 for a fixed query mix.
#   bench/recorder/run.sh [EXCHANGES]        (default 1000000; needs ~6 GB free in $TMPDIR)
# Builds the bench module first (bench/build.sh); the program is dev.tapline.bench.recorder.RecorderBench.
set -euo pipefail
cd "$(dirname "$0")/../.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
source bench/build.sh
bench_build
exec "$JAVA_HOME/bin/java" ${BENCH_JAVA_OPTS:-} -Xms2g -Xmx4g -XX:+UseG1GC \
  --enable-native-access=ALL-UNNAMED \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "$BENCH_CP" dev.tapline.bench.recorder.RecorderBench "$@"
