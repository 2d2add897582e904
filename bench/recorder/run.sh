#!/usr/bin/env bash
# Recorder benchmark (not a test): produce N synthetic exchanges (orders API, JSON bodies 0.5-4 KB)
# to an embedded broker, index them with a recorder from the topic, report ingest rate, index size
# per exchange vs raw NDJSON, and search latency p50/p99 for a fixed query mix.
#   bench/recorder/run.sh [EXCHANGES]        (default 1000000; needs ~6 GB free in $TMPDIR)
# Needs tapline-recorder built (./mvnw -o -q -pl recorder install -DskipTests).
set -euo pipefail
cd "$(dirname "$0")/../.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
out=bench/recorder/target
mkdir -p "$out"
./mvnw -o -q -pl recorder dependency:build-classpath -Dmdep.outputFile="$PWD/$out/classpath.txt" -Dmdep.includeScope=runtime
cp="recorder/target/classes:$(cat "$out/classpath.txt")"
exec "$JAVA_HOME/bin/java" ${BENCH_JAVA_OPTS:-} -Xms2g -Xmx4g -XX:+UseG1GC \
  --enable-native-access=ALL-UNNAMED \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "$cp" bench/recorder/RecorderBench.java "$@"
