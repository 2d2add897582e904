#!/usr/bin/env bash
# Test generation benchmark (not a test): bench/testgen/run.sh [exchanges]
# Needs tapline-testgen installed (./mvnw -o -q -pl testgen install -DskipTests).
set -euo pipefail
cd "$(dirname "$0")/../.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
cp_file="$(mktemp)"
./mvnw -o -q -pl testgen dependency:build-classpath -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=runtime
cp="testgen/target/classes:$(cat "$cp_file")"
rm -f "$cp_file"
exec "$JAVA_HOME/bin/java" -Xmx512m -XX:+UseParallelGC -cp "$cp" bench/testgen/TestgenBench.java "$@"
