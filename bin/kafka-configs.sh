#!/bin/sh
# Kafka's kafka-configs.sh, served by Gregor's CLI.
exec node "$(dirname "$0")/gregor.js" configs "$@"
