#!/usr/bin/env bash
# Replay benchmark (not a test). Builds the replay module's classes, compiles the harness against
# them and runs it: diff cost for 1 KB / 100 KB / 1 MB JSON pairs, then 10,000 recorded exchanges
# replayed end to end (3 requests each) against a fast local service. Prints medians.
#   bench/replay/run.sh [EXCHANGES]
set -euo pipefail
cd "$(dirname "$0")/../.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
out=bench/replay/target
mkdir -p "$out/classes"
./mvnw -o -q -pl replay compile dependency:build-classpath -Dmdep.outputFile="$PWD/$out/classpath.txt" -Dmdep.includeScope=runtime
cp="replay/target/classes:$(cat "$out/classpath.txt")"
"$JAVA_HOME/bin/javac" -d "$out/classes" -cp "$cp" bench/replay/src/dev/tapline/replay/ReplayBench.java
# The harness lives in the replay package to time the package-private diff directly.
"$JAVA_HOME/bin/java" ${BENCH_JAVA_OPTS:-} -Xms512m -Xmx2g -XX:+UseParallelGC -cp "$out/classes:$cp" dev.tapline.replay.ReplayBench "$@"
