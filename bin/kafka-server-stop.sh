#!/bin/sh
# Kafka's kafka-server-stop.sh: sends SIGTERM to this user's Gregor brokers started through bin/gregor.js (npm
# start, kafka-server-start.sh, npx gregor server), like Kafka's script, which stops every kafka.Kafka process.
# With a properties file argument only brokers started with that file are stopped. Brokers run from source by
# tests (`tsx src/cli/main.ts server`) are left alone. The brokers shut down cleanly: in-flight requests finish,
# logs are flushed and checkpointed, and the next start needs no recovery.
filter='gregor\.js server'
case "$1" in
  *.properties) filter="gregor\\.js server.*$(basename "$1" | sed 's/[.[\*^$]/\\&/g')" ;;
esac
pids=$(ps -u "$(id -u)" -o pid= -o args= | grep -E "$filter" | grep -v -E 'grep|kafka-server-stop' | awk '{print $1}')
if [ -z "$pids" ]; then
  echo "No gregor server to stop"
  exit 1
fi
kill -s TERM $pids
