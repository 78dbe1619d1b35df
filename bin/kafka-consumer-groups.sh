#!/bin/sh
# Kafka's kafka-consumer-groups.sh, served by Gregor's CLI.
exec node "$(dirname "$0")/gregor.js" consumer-groups "$@"
