#!/usr/bin/env bash
# The benchmark: builds the jar, then starts an embedded PostgreSQL (fsync and synchronous_commit on), the service
# from its jar and a receiver on loopback, runs every scenario and writes the results into BENCHMARKS.md. It stops
# by itself (about 20 minutes; never more than 45). Not part of ./mvnw verify.
#   ./bench/run.sh 2,4         only those scenarios (startup and the receiver ceiling always run)
#   BENCH_SERVICE_ARGS='--webhooks.delivery.max-in-flight=2000'   settings added to or replacing the service's
#   BENCH_SERVICE_JVM_OPTS='-XX:+FlightRecorder ...'              JVM options for the service
#   BENCH_FSYNC=off            a labelled, non-durable run, written to target/bench-fsync-off.md
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -ntp -q -DskipTests package
./mvnw -B -ntp -q dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
jar=$(ls target/document-webhooks-*.jar | grep -v '\.original$' | head -n 1)
timeout 2700 java -Xmx1g -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  com.idexa.webhooks.bench.Benchmark "$jar" BENCHMARKS.md "$@"
