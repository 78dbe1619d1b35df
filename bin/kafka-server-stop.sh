#!/bin/sh
# Kafka's kafka-server-stop.sh: sends SIGTERM to every Gregor broker of this user on the machine (like Kafka's
# script, which looks for kafka.Kafka processes). The brokers shut down cleanly: in-flight requests finish, logs
# are flushed and checkpointed, and the next start needs no recovery.
pids=$(ps -u "$(id -u)" -o pid= -o args= | grep -E 'gregor(\.js)? server|cli/main\.ts server' | grep -v grep | awk '{print $1}')
if [ -z "$pids" ]; then
  echo "No gregor server to stop"
  exit 1
fi
kill -s TERM $pids
