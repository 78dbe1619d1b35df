#!/bin/sh
# Kafka's kafka-topics.sh, served by Gregor's CLI.
exec node "$(dirname "$0")/gregor.js" topics "$@"
