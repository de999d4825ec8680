#!/usr/bin/env bash
# The fault harness: builds the jar, then starts a durable embedded PostgreSQL, the service from its jar and a
# receiver on loopback, offers ~100 events/s while each fault of issue 9 happens, and writes what it saw into
# RELIABILITY.md. Bounded: it stops by itself (about 13 minutes on a quiet 2-core machine, 40 at most). Not part
# of ./mvnw verify.
# ./faults/run.sh 1,3 runs only those scenarios. FAULTS_SERVICE_ARGS="--key=value ..." changes service settings.
set -euo pipefail
cd "$(dirname "$0")/.."
pids=target/faults/pids

# Ends every process the harness noted (the service instances and the postmaster), even if the JVM was killed.
# A pid is only signalled while its command line still holds the marker written next to it.
cleanup() {
  [[ -f $pids ]] || return 0
  while read -r kind pid marker; do
    [[ -r /proc/$pid/cmdline ]] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$marker" || continue
    if [[ $kind == postgres ]]; then
      kill -CONT "$pid" $(pgrep -P "$pid" || true) 2>/dev/null || true
      kill -QUIT "$pid" 2>/dev/null || true
    else
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done <"$pids"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

./mvnw -B -ntp -q -DskipTests package
./mvnw -B -ntp -q dependency:build-classpath -Dmdep.outputFile=target/faults.classpath -Dmdep.includeScope=test
jar=$(ls target/document-webhooks-*.jar | grep -v '\.original$' | head -n 1)
mkdir -p target/faults
status=0
timeout 2400 java -cp "target/test-classes:target/classes:$(cat target/faults.classpath)" \
  com.idexa.webhooks.faults.FaultHarness "$jar" RELIABILITY.md "${1:-}" || status=$?
if [[ $status -ne 0 ]]; then
  echo "the harness ended with status $status (124: the 40-minute limit; 137/143: killed or terminated)" >&2
fi
exit "$status"
