#!/bin/sh
# Kafka's kafka-consumer-perf-test.sh, served by Gregor's CLI.
exec node "$(dirname "$0")/gregor.js" consumer-perf-test "$@"
