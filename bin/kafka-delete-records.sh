#!/bin/sh
# Kafka's kafka-delete-records.sh, served by Gregor's CLI.
exec node "$(dirname "$0")/gregor.js" delete-records "$@"
