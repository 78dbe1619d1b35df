#!/bin/sh
# Kafka's kafka-console-producer.sh, served by Gregor's CLI.
exec node "$(dirname "$0")/gregor.js" console-producer "$@"
