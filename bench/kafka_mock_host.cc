// Hosts a librdkafka mock cluster in its own process so that two separate clients (kcat and bakeoff's
// kafka driver) can be measured against the same cluster over loopback TCP: bench/vs_native_kafka.sh.
//
//   kafka_mock_host BROKERS TOPIC PARTITIONS
//
// Prints the bootstrap servers on one line, then serves until SIGTERM or SIGINT.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <signal.h>

#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: kafka_mock_host BROKERS TOPIC PARTITIONS\n");
    return 2;
  }
  const int brokers = std::atoi(argv[1]);
  const int partitions = std::atoi(argv[3]);
  if (brokers < 1 || partitions < 1) {
    std::fprintf(stderr, "kafka_mock_host: BROKERS and PARTITIONS must be >= 1\n");
    return 2;
  }
  // Block the stop signals before librdkafka starts its threads, so only sigwait below receives them.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "4", errstr, sizeof(errstr));
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (rk == nullptr) {
    std::fprintf(stderr, "kafka_mock_host: %s\n", errstr);
    return 1;
  }
  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(rk, brokers);
  if (cluster == nullptr) {
    std::fprintf(stderr, "kafka_mock_host: cannot start the mock cluster\n");
    rd_kafka_destroy(rk);
    return 1;
  }
  const rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(cluster, argv[2], partitions, 1);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    std::fprintf(stderr, "kafka_mock_host: topic %s: %s\n", argv[2], rd_kafka_err2str(err));
  }
  std::printf("%s\n", rd_kafka_mock_cluster_bootstraps(cluster));
  std::fflush(stdout);
  int signal_number = 0;
  sigwait(&stop, &signal_number);
  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(rk);
  return err == RD_KAFKA_RESP_ERR_NO_ERROR ? 0 : 1;
}
