#!/usr/bin/env bash
# The benchmark: builds the jar, then starts an embedded PostgreSQL, the service from its jar and a receiver on
# loopback, runs every scenario and writes the results into BENCHMARKS.md. It stops by itself in a few minutes.
# Not part of ./mvnw verify. ./bench/run.sh 2,4 runs only those scenarios (the ceiling always runs).
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -ntp -q -DskipTests package
./mvnw -B -ntp -q dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
jar=$(ls target/document-webhooks-*.jar | grep -v '\.original$' | head -n 1)
timeout 900 java -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  com.idexa.webhooks.bench.Benchmark "$jar" BENCHMARKS.md "$@"
