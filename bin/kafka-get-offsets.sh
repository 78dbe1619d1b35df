#!/bin/sh
# Kafka's kafka-get-offsets.sh, served by Gregor's CLI.
exec node "$(dirname "$0")/gregor.js" get-offsets "$@"
