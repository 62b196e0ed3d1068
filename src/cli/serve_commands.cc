#include "cli/serve_commands.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <iostream>

#include "cli/exit_codes.h"
#include "cli/service_client.h"
#include "env/process/files.h"
#include "service/http_server.h"
#include "service/scheduler.h"
#include "service/sqlite_queue.h"

namespace bakeoff {
namespace {

std::atomic<bool> g_serve_stop{false};

extern "C" void OnServeSignal(int) {
  g_serve_stop.store(true);
  static const char kMessage[] = "\nbakeoff serve: stopping: interrupting the running experiment, tearing down...\n";
  (void)!write(STDERR_FILENO, kMessage, sizeof(kMessage) - 1);
}

int Serve(const std::string& listen, const std::string& data_dir, const std::string& token_file, int max_queued,
          const std::string& web_dir, const std::string& examples_dir) {
  ApiServerOptions http;
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon + 1 == listen.size()) {
    std::cerr << "bakeoff serve: --listen is HOST:PORT (e.g. 127.0.0.1:8080), not `" << listen << "`\n";
    return kExitBadExperiment;
  }
  http.host = listen.substr(0, colon);
  try {
    http.port = std::stoi(listen.substr(colon + 1));
  } catch (const std::exception&) {
    http.port = -1;
  }
  if (http.port < 0 || http.port > 65535) {
    std::cerr << "bakeoff serve: the port in --listen " << listen << " is 0-65535\n";
    return kExitBadExperiment;
  }
  if (!token_file.empty()) {
    Result<std::string> token = ReadTokenFile(token_file);
    if (!token.ok()) {
      std::cerr << "bakeoff serve: " << token.status().message() << "\n";
      return kExitBadExperiment;
    }
    http.token = *token;
  }
  if (!IsLoopbackHost(http.host) && http.token.empty()) {
    std::cerr << "bakeoff serve: refusing to listen on " << http.host
              << " without a token: give --token-file FILE, or listen on 127.0.0.1\n";
    return kExitBadExperiment;
  }
  http.web_dir = web_dir.empty() ? std::string(BAKEOFF_SOURCE_DIR) + "/web/dist" : web_dir;
  http.examples_dir = examples_dir.empty() ? std::string(BAKEOFF_SOURCE_DIR) + "/examples" : examples_dir;
  http.version = BAKEOFF_VERSION;

  if (Status st = MakeDirectories(data_dir); !st.ok()) {
    std::cerr << "bakeoff serve: --data " << data_dir << ": " << st.message() << "\n";
    return kExitBadExperiment;
  }
  auto queue = SqliteExperimentQueue::Open(data_dir + "/queue.sqlite");
  if (!queue.ok()) {
    std::cerr << "bakeoff serve: " << queue.status().message() << "\n";
    return kExitRunFailed;
  }
  SchedulerOptions scheduling;
  scheduling.data_dir = data_dir;
  scheduling.bakeoff_version = BAKEOFF_VERSION;
  scheduling.max_queued = max_queued;
  Scheduler scheduler(**queue, scheduling);
  ApiServer server(scheduler, http);

  struct sigaction action {};
  action.sa_handler = OnServeSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);

  if (Status st = scheduler.Start(); !st.ok()) {
    std::cerr << "bakeoff serve: " << st.message() << "\n";
    return kExitRunFailed;
  }
  if (Status st = server.Start(); !st.ok()) {
    std::cerr << "bakeoff serve: " << st.message() << "\n";
    scheduler.Stop();
    return kExitBadExperiment;
  }
  // Tests and scripts read this line for the port (with --listen HOST:0).
  std::cerr << "bakeoff serve: listening on http://" << http.host << ":" << server.port() << " (data in " << data_dir
            << ", results in " << scheduler.results_dir() << ")" << std::endl;
  while (!g_serve_stop.load() && !scheduler.WaitForStopRequest(std::chrono::milliseconds(250))) {
  }
  // The running experiment first (interrupted, torn down), then the listener: clients see it end.
  scheduler.Stop();
  server.Stop();
  std::cerr << "bakeoff serve: stopped; queued experiments stay queued for the next start" << std::endl;
  return kExitOk;
}

}  // namespace

ServeCommands::ServeCommands(CLI::App& app) {
  serve_ = app.add_subcommand("serve", "Serve the REST API over a persistent experiment queue (docs/api-v1.md).");
  serve_->add_option("--listen", listen_, "HOST:PORT to listen on (port 0: any free port)")->capture_default_str();
  serve_->add_option("--data", data_dir_, "Directory of the queue (queue.sqlite) and results/")->capture_default_str();
  serve_->add_option("--token-file", token_file_,
                     "File whose first line is the bearer token (required off loopback; never on the command line)");
  serve_->add_option("--max-queued", max_queued_, "Refuse submissions beyond this many queued")->capture_default_str();
  serve_->add_option("--web", web_dir_, "The built web UI (default: <source>/web/dist)");
  serve_->add_option("--examples", examples_dir_, "Example experiments for GET /api/v1/examples (default: <source>/examples)");

  submit_ = app.add_subcommand("submit", "Submit an experiment to a server (`bakeoff serve`).");
  submit_->add_option("file", file_, "Experiment file (YAML or JSON)")->required()->check(CLI::ExistingFile);
  submit_->add_flag("--wait", wait_, "Follow it: live progress, the final table, `bakeoff run`'s exit code");
  queue_ = app.add_subcommand("queue", "List a server's experiments: queued, running and recent.");
  cancel_ = app.add_subcommand("cancel", "Cancel an experiment on a server (queued: never runs; running: stops).");
  cancel_->add_option("id", id_, "Experiment id (`bakeoff queue`)")->required();
  for (CLI::App* c : {submit_, queue_, cancel_}) {
    c->add_option("--server", server_, "Server URL (default: $BAKEOFF_SERVER, else http://127.0.0.1:8080)");
    c->add_option("--token-file", token_file_, "Bearer token file (default: $BAKEOFF_TOKEN_FILE)");
  }
}

std::optional<int> ServeCommands::Run() const {
  if (serve_->parsed()) return Serve(listen_, data_dir_, token_file_, max_queued_, web_dir_, examples_dir_);
  if (!submit_->parsed() && !queue_->parsed() && !cancel_->parsed()) return std::nullopt;
  Result<ServiceClient> client = ServiceClient::FromFlags(server_, token_file_);
  if (!client.ok()) {
    std::cerr << "bakeoff: " << client.status().message() << "\n";
    return kExitBadExperiment;
  }
  if (submit_->parsed()) return client->Submit(file_, wait_);
  if (queue_->parsed()) return client->PrintQueue();
  return client->Cancel(id_);
}

}  // namespace bakeoff
