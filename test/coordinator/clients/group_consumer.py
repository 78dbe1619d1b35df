#!/usr/bin/python3
# A long-running group member for the coordinator's interop tests, with confluent-kafka-python (librdkafka) or
# kafka-python. Prints one JSON object per line (flushed) so the test can follow it:
#   {"ev":"ready"} {"ev":"assigned","tps":[p,...]} {"ev":"revoked","tps":[p,...]}
#   {"ev":"rec","p":p,"o":o,"v":"..."} {"ev":"committed","p":p,"o":o} {"ev":"error","msg":"..."}
# every event has "t" (ms since the epoch). Records are committed (synchronously) right after they are printed, so
# "consumed" always means "processed". SIGTERM closes the consumer cleanly (LeaveGroup) and exits.
import argparse
import json
import signal
import sys
import time

ap = argparse.ArgumentParser()
ap.add_argument('--client', required=True, choices=['confluent', 'kafka-python'])
ap.add_argument('--bootstrap', required=True)
ap.add_argument('--topic', required=True)
ap.add_argument('--group', required=True)
ap.add_argument('--client-id', default='gregor-group-test')
ap.add_argument('--assignor', default='range')
ap.add_argument('--session-ms', type=int, default=6000)
ap.add_argument('--reset', default='earliest')
ap.add_argument('--no-commit', action='store_true')
ap.add_argument('--instance-id', default=None)
args = ap.parse_args()

stopping = False


def emit(**kw):
    kw['t'] = int(time.time() * 1000)
    sys.stdout.write(json.dumps(kw) + '\n')
    sys.stdout.flush()


def on_term(*_):
    global stopping
    stopping = True


signal.signal(signal.SIGTERM, on_term)
signal.signal(signal.SIGINT, on_term)


def run_confluent():
    from confluent_kafka import Consumer, KafkaException, TopicPartition

    cooperative = args.assignor == 'cooperative-sticky'
    conf = {
        'bootstrap.servers': args.bootstrap,
        'group.id': args.group,
        'client.id': args.client_id,
        'partition.assignment.strategy': args.assignor,
        'session.timeout.ms': args.session_ms,
        'heartbeat.interval.ms': max(500, args.session_ms // 6),
        'auto.offset.reset': 'error' if args.reset == 'none' else args.reset,
        'enable.auto.commit': False,
        'topic.metadata.refresh.interval.ms': 2000,
    }
    if args.instance_id:
        conf['group.instance.id'] = args.instance_id
    c = Consumer(conf)

    def on_assign(consumer, parts):
        emit(ev='assigned', tps=sorted(p.partition for p in parts), incremental=cooperative)
        if cooperative:
            consumer.incremental_assign(parts)

    def on_revoke(consumer, parts):
        emit(ev='revoked', tps=sorted(p.partition for p in parts), incremental=cooperative)
        if cooperative:
            consumer.incremental_unassign(parts)

    c.subscribe([args.topic], on_assign=on_assign, on_revoke=on_revoke)
    emit(ev='ready')
    while not stopping:
        m = c.poll(0.2)
        if m is None:
            continue
        if m.error():
            emit(ev='error', msg=str(m.error()), code=m.error().code())
            continue
        emit(ev='rec', p=m.partition(), o=m.offset(), v=(m.value() or b'').decode('utf8', 'replace'))
        if not args.no_commit:
            try:
                c.commit(offsets=[TopicPartition(m.topic(), m.partition(), m.offset() + 1)], asynchronous=False)
                emit(ev='committed', p=m.partition(), o=m.offset() + 1)
            except KafkaException as e:
                emit(ev='error', msg='commit failed: %s' % e)
    c.close()
    emit(ev='closed')


def run_kafka_python():
    from kafka import ConsumerRebalanceListener, KafkaConsumer, TopicPartition
    from kafka.coordinator.assignors.range import RangePartitionAssignor
    from kafka.coordinator.assignors.roundrobin import RoundRobinPartitionAssignor
    from kafka.structs import OffsetAndMetadata

    assignors = {'range': [RangePartitionAssignor], 'roundrobin': [RoundRobinPartitionAssignor]}[args.assignor]
    c = KafkaConsumer(
        bootstrap_servers=args.bootstrap,
        group_id=args.group,
        client_id=args.client_id,
        partition_assignment_strategy=assignors,
        session_timeout_ms=args.session_ms,
        heartbeat_interval_ms=max(500, args.session_ms // 6),
        auto_offset_reset=args.reset,
        enable_auto_commit=False,
        metadata_max_age_ms=2000,
        api_version_auto_timeout_ms=10000,
    )

    class Listener(ConsumerRebalanceListener):
        def on_partitions_revoked(self, revoked):
            emit(ev='revoked', tps=sorted(p.partition for p in revoked))

        def on_partitions_assigned(self, assigned):
            emit(ev='assigned', tps=sorted(p.partition for p in assigned))

    c.subscribe([args.topic], listener=Listener())
    emit(ev='ready')
    while not stopping:
        try:
            batch = c.poll(timeout_ms=200)
        except Exception as e:  # NoOffsetForPartitionError with auto_offset_reset='none', etc.
            emit(ev='error', msg='%s: %s' % (type(e).__name__, e))
            time.sleep(0.5)
            continue
        for tp, msgs in batch.items():
            for m in msgs:
                emit(ev='rec', p=m.partition, o=m.offset, v=(m.value or b'').decode('utf8', 'replace'))
                if not args.no_commit:
                    try:
                        c.commit({TopicPartition(m.topic, m.partition): OffsetAndMetadata(m.offset + 1, '')})
                        emit(ev='committed', p=m.partition, o=m.offset + 1)
                    except Exception as e:
                        emit(ev='error', msg='commit failed: %s: %s' % (type(e).__name__, e))
    c.close()
    emit(ev='closed')


if args.client == 'confluent':
    run_confluent()
else:
    run_kafka_python()
