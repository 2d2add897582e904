#!/usr/bin/env bash
# Redactor microbenchmark (not a test): ns and bytes allocated per redacted exchange, clean and dirty.
#   bench/redact/run.sh [ROUNDS]
# Uses core/target/classes as built (./mvnw -q -pl core compile).
set -euo pipefail
cd "$(dirname "$0")/../.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
out=bench/redact/target
mkdir -p "$out"
./mvnw -o -q -pl core dependency:build-classpath -Dmdep.outputFile="$PWD/$out/classpath.txt" -Dmdep.includeScope=runtime
cp="core/target/classes:$(cat "$out/classpath.txt")"
exec "$JAVA_HOME/bin/java" ${BENCH_JAVA_OPTS:-} -Xms512m -Xmx512m -XX:+UseG1GC \
  -cp "$cp" bench/redact/RedactorBench.java "$@"
