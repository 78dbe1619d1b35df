#!/bin/sh
# Kafka's kafka-broker-api-versions.sh, served by Gregor's CLI.
exec node "$(dirname "$0")/gregor.js" broker-api-versions "$@"
