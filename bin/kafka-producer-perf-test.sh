#!/bin/sh
# Kafka's kafka-producer-perf-test.sh, served by Gregor's CLI.
exec node "$(dirname "$0")/gregor.js" producer-perf-test "$@"
