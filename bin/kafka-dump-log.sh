#!/bin/sh
# Kafka's kafka-dump-log.sh, served by Gregor's CLI.
exec node "$(dirname "$0")/gregor.js" dump-log "$@"
