#!/bin/sh
# Kafka's kafka-console-consumer.sh, served by Gregor's CLI.
exec node "$(dirname "$0")/gregor.js" console-consumer "$@"
