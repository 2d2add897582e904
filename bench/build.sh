# Sourced by bench/*/run.sh, from the repository root. Builds the bench module and the modules it
# exercises with the Maven Wrapper (online: a fresh clone needs only a JDK; nothing is installed into
# ~/.m2), then sets BENCH_CP to the bench programs' classes and runtime classpath.
#   bench_build [MORE_MODULES]   e.g. bench_build cli  also packages the tapline CLI jar
bench_build() {
  local modules="bench${1:+,$1}"
  ./mvnw -q -B -pl "$modules" -am package -DskipTests >&2 \
    || { echo "bench: building $modules failed; run './mvnw -pl $modules -am package -DskipTests' to see why" >&2; return 1; }
  BENCH_CP="$PWD/bench/target/classes:$(cat bench/target/classpath.txt)"
}
