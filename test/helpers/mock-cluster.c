/*
 * A librdkafka mock Kafka cluster as a standalone process, so tests have a real Kafka peer
 * (librdkafka's own broker emulation) to talk to.
 *
 * Usage: mock-cluster [--brokers N] [--topic name:partitions[:replication]]...
 *
 * Prints one line "BOOTSTRAP <host:port,...>" on stdout once the cluster listens, then runs until
 * SIGTERM/SIGINT or until stdin reaches EOF (so the cluster dies with its parent even when the parent
 * is killed with SIGKILL and cannot clean up). Built on demand by mock-cluster.ts; never committed as a binary.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

static volatile sig_atomic_t stop_requested = 0;

static void on_signal(int sig) {
        (void)sig;
        stop_requested = 1;
}

static void usage(const char *argv0) {
        fprintf(stderr, "usage: %s [--brokers N] [--topic name:partitions[:replication]]...\n", argv0);
        exit(2);
}

int main(int argc, char **argv) {
        int broker_cnt = 1;
        char errstr[512];
        int i;

        /* First pass: the broker count, which must be known before the cluster exists. */
        for (i = 1; i < argc; i++) {
                if (!strcmp(argv[i], "--brokers") && i + 1 < argc) {
                        broker_cnt = atoi(argv[++i]);
                        if (broker_cnt < 1 || broker_cnt > 64) usage(argv[0]);
                } else if (!strcmp(argv[i], "--topic") && i + 1 < argc) {
                        i++;
                } else {
                        usage(argv[0]);
                }
        }

        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        /* The handle only hosts the mock cluster; it never connects anywhere itself. */
        if (rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK) {
                fprintf(stderr, "conf: %s\n", errstr);
                return 1;
        }
        rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
        if (!rk) {
                fprintf(stderr, "rd_kafka_new: %s\n", errstr);
                return 1;
        }
        rd_kafka_mock_cluster_t *mcluster = rd_kafka_mock_cluster_new(rk, broker_cnt);
        if (!mcluster) {
                fprintf(stderr, "rd_kafka_mock_cluster_new failed\n");
                rd_kafka_destroy(rk);
                return 1;
        }

        for (i = 1; i < argc; i++) {
                if (!strcmp(argv[i], "--brokers")) {
                        i++;
                } else if (!strcmp(argv[i], "--topic")) {
                        char *spec = argv[++i];
                        char *name = strtok(spec, ":");
                        char *parts = strtok(NULL, ":");
                        char *repl = strtok(NULL, ":");
                        int partition_cnt = parts ? atoi(parts) : 1;
                        int replication = repl ? atoi(repl) : 1;
                        if (!name || partition_cnt < 1 || replication < 1 || replication > broker_cnt) usage(argv[0]);
                        rd_kafka_resp_err_t err =
                            rd_kafka_mock_topic_create(mcluster, name, partition_cnt, replication);
                        if (err) {
                                fprintf(stderr, "topic %s: %s\n", name, rd_kafka_err2str(err));
                                return 1;
                        }
                }
        }

        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_signal; /* no SA_RESTART: read() below must return EINTR */
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
        signal(SIGPIPE, SIG_IGN);

        printf("BOOTSTRAP %s\n", rd_kafka_mock_cluster_bootstraps(mcluster));
        fflush(stdout);

        char buf[256];
        while (!stop_requested) {
                ssize_t n = read(0, buf, sizeof(buf));
                if (n == 0) break;                        /* parent closed stdin or died */
                if (n < 0 && errno != EINTR) break;
        }

        rd_kafka_mock_cluster_destroy(mcluster);
        rd_kafka_destroy(rk);
        return 0;
}
