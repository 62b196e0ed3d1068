// The API over real HTTP on loopback: the server in-process on a free port, real local servers (redis)
// where a run needs one.
#include <sys/wait.h>

#include <fstream>
#include <set>

#include "service/openapi.h"
#include "service/testing/service_fixture.h"

namespace bakeoff::testing {
namespace {

using nlohmann::json;

class HttpApiTest : public ServiceFixture {};

std::vector<std::string> StatesOf(const std::vector<SseEvent>& events) {
  std::vector<std::string> states;
  for (const SseEvent& e : events) {
    if (e.type != "state") continue;
    const std::string s = e.data.value("state", "");
    if (states.empty() || states.back() != s) states.push_back(s);
  }
  return states;
}

int Count(const std::vector<SseEvent>& events, const std::string& type) {
  int n = 0;
  for (const SseEvent& e : events) n += e.type == type;
  return n;
}

TEST_F(HttpApiTest, MemoryThenLocalRedisRunInOrderWithEventsAndResults) {
  StartServer("", /*start_scheduler=*/false);  // both queued before anything runs
  const std::string first = SubmitOk(MemorySpec("mem-first", "3s"));
  const std::string second = SubmitOk(RedisSpec("redis-second", "3s"));
  json queued = GetJson("/api/v1/experiments/" + second);
  EXPECT_EQ(queued["state"], "queued");
  EXPECT_EQ(queued["position"], 2);
  EXPECT_EQ(GetJson("/api/v1/experiments/" + first)["position"], 1);

  std::vector<SseEvent> first_events, second_events;
  std::thread follow_first([&] {
    first_events =
        ReadEvents(server_->port(), "/api/v1/experiments/" + first + "/events", std::chrono::seconds(120));
  });
  std::thread follow_second([&] {
    second_events =
        ReadEvents(server_->port(), "/api/v1/experiments/" + second + "/events", std::chrono::seconds(180));
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // both streams connected
  ASSERT_TRUE(scheduler_->Start().ok());
  follow_first.join();
  follow_second.join();

  const json a = GetJson("/api/v1/experiments/" + first);
  const json b = GetJson("/api/v1/experiments/" + second);
  ASSERT_EQ(a["state"], "succeeded") << a.dump();
  ASSERT_EQ(b["state"], "succeeded") << b.dump();
  EXPECT_EQ(a["exit_code"], 0);
  EXPECT_LE(a["finished_at"].get<std::string>(), b["started_at"].get<std::string>());  // in order
  // The documented progression, as the SSE stream saw it.
  EXPECT_EQ(StatesOf(second_events),
            (std::vector<std::string>{"queued", "provisioning", "running", "tearing_down", "succeeded"}));
  EXPECT_EQ(StatesOf(first_events).front(), "queued");
  EXPECT_EQ(StatesOf(first_events).back(), "succeeded");
  EXPECT_GE(Count(second_events, "progress"), 2);
  EXPECT_GE(Count(first_events, "progress"), 2);
  EXPECT_EQ(second_events.back().type, "end");
  for (const SseEvent& e : second_events) {
    if (e.type == "progress") {
      EXPECT_EQ(e.data["system"], "redis");
    }
  }
  ASSERT_EQ(b["headline"].size(), 1u);
  EXPECT_GT(b["headline"][0]["received_msgs_per_s"].get<double>(), 500);

  // Result files over HTTP.
  for (const std::string& id : {first, second}) {
    httplib::Result result = client_->Get(("/api/v1/experiments/" + id + "/result").c_str());
    ASSERT_TRUE(result && result->status == 200);
    EXPECT_EQ(json::parse(result->body)["runs"].size(), 1u);
    httplib::Result report = client_->Get(("/api/v1/experiments/" + id + "/report").c_str());
    ASSERT_TRUE(report && report->status == 200);
    EXPECT_NE(report->body.find("<html"), std::string::npos);
    httplib::Result csv = client_->Get(("/api/v1/experiments/" + id + "/results.csv").c_str());
    ASSERT_TRUE(csv && csv->status == 200);
    EXPECT_NE(csv->body.find('\n'), std::string::npos);
  }
  ASSERT_EQ(b["links"]["hlog"].size(), 1u);
  httplib::Result hlog = client_->Get(b["links"]["hlog"][0].get<std::string>().c_str());
  ASSERT_TRUE(hlog && hlog->status == 200);
  EXPECT_FALSE(hlog->body.empty());
  httplib::Result traversal =
      client_->Get(("/api/v1/experiments/" + second + "/hlog/..%2Fresult.json").c_str());
  EXPECT_TRUE(traversal && traversal->status >= 400 && traversal->status < 500);

  // Compare as JSON.
  const json compare = GetJson("/api/v1/compare?ids=" + first + "," + second);
  EXPECT_EQ(compare["ids"].size(), 2u);
  EXPECT_FALSE(compare["rows"].empty());
  GetJson("/api/v1/compare?ids=" + first, 400);

  // The results appear in `bakeoff results list` of the server's results directory.
  const char* bin = std::getenv("BAKEOFF_BIN");
  ASSERT_NE(bin, nullptr);
  const std::string out_file = (dir_ / "list.txt").string();
  const pid_t pid = fork();
  if (pid == 0) {
    FILE* f = freopen(out_file.c_str(), "w", stdout);
    (void)f;
    const std::string results = (dir_ / "data" / "results").string();
    execl(bin, bin, "results", "list", "--results-dir", results.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_EQ(WEXITSTATUS(status), 0);
  std::ifstream in(out_file);
  const std::string listing((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(listing.find(first), std::string::npos) << listing;
  EXPECT_NE(listing.find(second), std::string::npos) << listing;

  // No environment is left behind.
  EXPECT_TRUE(std::filesystem::is_empty(dir_ / "env-state") || !std::filesystem::exists(dir_ / "env-state"));
}

TEST_F(HttpApiTest, BadExperimentGets400WithEveryErrorAndNothingIsQueued) {
  StartServer();
  const std::string bad =
      "name: bad\nsystems:\n  - name: m\n    driver: memry\nworkload:\n  rat: 5k/s\n  duration: forever\n";
  httplib::Result res = Submit(bad);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  const json body = json::parse(res->body);
  EXPECT_EQ(body["error"]["code"], "invalid_experiment");
  ASSERT_EQ(body["errors"].size(), 3u) << body.dump(2);
  std::set<std::pair<int, int>> where;
  for (const json& e : body["errors"]) {
    where.insert({e["line"].get<int>(), e["column"].get<int>()});
    EXPECT_FALSE(e["message"].get<std::string>().empty());
    EXPECT_TRUE(e.contains("path") && e.contains("suggestion"));
  }
  EXPECT_TRUE(where.count({4, 13})) << body.dump(2);  // driver: memry
  EXPECT_TRUE(where.count({6, 3})) << body.dump(2);   // rat:
  EXPECT_EQ(GetJson("/api/v1/experiments")["experiments"].size(), 0u);
  // Dry run: validated, nothing queued.
  httplib::Result dry = Submit(MemorySpec("dry", "1s"), "?dry_run=true");
  ASSERT_TRUE(dry);
  EXPECT_EQ(dry->status, 200);
  EXPECT_EQ(json::parse(dry->body)["ok"], true);
  EXPECT_EQ(Submit(bad, "?dry_run=true")->status, 400);
  EXPECT_EQ(GetJson("/api/v1/experiments")["experiments"].size(), 0u);
  // Wrong media type.
  EXPECT_EQ(client_->Post("/api/v1/experiments", MemorySpec("x", "1s"), "text/plain")->status, 415);
}

TEST_F(HttpApiTest, JsonBodyIsAcceptedAndSpecStoredAsSubmitted) {
  StartServer("", false);
  const std::string spec = R"({"name": "as-json", "systems": [{"name": "m", "driver": "memory",
    "options": {}}], "workload": {"rate": "1k/s", "duration": "1s", "warmup": "0s"}})";
  httplib::Result res = client_->Post("/api/v1/experiments", spec, "application/json");
  ASSERT_TRUE(res && res->status == 201) << (res ? res->body : "");
  const std::string id = json::parse(res->body)["id"];
  EXPECT_EQ(res->get_header_value("Location"), "/api/v1/experiments/" + id);
  const json detail = GetJson("/api/v1/experiments/" + id);
  EXPECT_EQ(detail["spec"], spec);
  EXPECT_EQ(detail["spec_format"], "json");
}

TEST_F(HttpApiTest, SecretReferencesStayReferences) {
  StartServer("", false);
  setenv("BAKEOFF_TEST_SECRET_VALUE", "hunter2-very-secret", 1);
  const std::string spec =
      "name: secretive\nsystems:\n  - name: redis\n    driver: redis-streams\n    environment: {provider: "
      "existing, endpoints: {url: 'redis://127.0.0.1:1'}}\n    options:\n      password: "
      "${env:BAKEOFF_TEST_SECRET_VALUE}\n"
      "workload:\n  duration: 1s\n";
  httplib::Result res = Submit(spec);
  ASSERT_TRUE(res);
  if (res->status == 201) {
    const std::string id = json::parse(res->body)["id"];
    httplib::Result detail = client_->Get(("/api/v1/experiments/" + id).c_str());
    EXPECT_NE(detail->body.find("${env:BAKEOFF_TEST_SECRET_VALUE}"), std::string::npos);
    EXPECT_EQ(detail->body.find("hunter2"), std::string::npos);
  } else {
    EXPECT_EQ(res->body.find("hunter2"), std::string::npos) << res->body;
  }
  httplib::Result list = client_->Get("/api/v1/experiments");
  EXPECT_EQ(list->body.find("hunter2"), std::string::npos);
}

TEST_F(HttpApiTest, CancelQueuedAndRunning) {
  StartServer();
  const std::string running = SubmitOk(MemorySpec("long", "60s"));
  const std::string queued = SubmitOk(MemorySpec("never", "1s"));
  WaitState(running, "running", 30);
  httplib::Result q = client_->Delete(("/api/v1/experiments/" + queued).c_str());
  ASSERT_TRUE(q);
  EXPECT_EQ(q->status, 200);
  EXPECT_EQ(json::parse(q->body)["state"], "cancelled");
  httplib::Result r = client_->Delete(("/api/v1/experiments/" + running).c_str());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 202);
  EXPECT_EQ(json::parse(r->body)["cancel_requested"], true);
  const json done = WaitState(running, "cancelled", 30);
  EXPECT_EQ(done["state"], "cancelled");
  EXPECT_EQ(done["exit_code"], 130);
  EXPECT_TRUE(done["links"]["result"].is_string());  // partial results kept
  const json never = GetJson("/api/v1/experiments/" + queued);
  EXPECT_EQ(never["state"], "cancelled");
  EXPECT_TRUE(never["started_at"].is_null());
  EXPECT_EQ(client_->Delete(("/api/v1/experiments/" + running).c_str())->status, 409);
  EXPECT_EQ(client_->Delete("/api/v1/experiments/no-such")->status, 404);
}

TEST_F(HttpApiTest, TokenRequiredOnMutatingRoutes) {
  StartServer("t0ken-for-tests");
  httplib::Client anonymous("127.0.0.1", server_->port());
  httplib::Result res = anonymous.Post("/api/v1/experiments", MemorySpec("x", "1s"), "application/yaml");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  EXPECT_EQ(json::parse(res->body)["error"]["code"], "unauthorized");
  EXPECT_EQ(res->body.find("t0ken"), std::string::npos);
  EXPECT_EQ(anonymous.Post("/api/v1/shutdown")->status, 401);
  EXPECT_EQ(anonymous.Delete("/api/v1/experiments/x")->status, 401);
  httplib::Headers wrong = {{"Authorization", "Bearer t0ken-for-tesTS"}};
  EXPECT_EQ(anonymous.Post("/api/v1/experiments", wrong, MemorySpec("x", "1s"), "application/yaml")->status,
            401);
  EXPECT_EQ(anonymous.Get("/api/v1/health")->status, 200);  // reads need none on loopback
  EXPECT_EQ(GetJson("/api/v1/experiments")["experiments"].size(), 0u);
  EXPECT_EQ(Submit(MemorySpec("x", "1s"))->status, 201);
}

TEST_F(HttpApiTest, RefusesOffLoopbackWithoutToken) {
  StartServer();
  ApiServerOptions options;
  options.host = "0.0.0.0";
  options.port = 0;
  ApiServer open(*scheduler_, options);
  Status st = open.Start();
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("token"), std::string::npos);
  EXPECT_TRUE(TokensEqual("abc", "abc"));
  EXPECT_FALSE(TokensEqual("abc", "abd"));
  EXPECT_FALSE(TokensEqual("abc", "abcd"));
  EXPECT_FALSE(TokensEqual("", ""));
  EXPECT_TRUE(IsLoopbackHost("127.0.0.1") && IsLoopbackHost("127.1.2.3") && IsLoopbackHost("localhost"));
  EXPECT_FALSE(IsLoopbackHost("0.0.0.0") || IsLoopbackHost("10.0.0.1"));
}

TEST_F(HttpApiTest, DeferredShutdownBusyThenAccepted) {
  StartServer();
  const std::string running = SubmitOk(MemorySpec("busy", "3s"));
  const std::string waiting = SubmitOk(MemorySpec("waits", "1s"));
  WaitState(running, "running", 30);
  httplib::Result busy = client_->Post("/api/v1/shutdown");
  ASSERT_TRUE(busy);
  EXPECT_EQ(busy->status, 409);
  const json b = json::parse(busy->body);
  EXPECT_EQ(b["running"], running);
  EXPECT_GT(b["eta_s"].get<double>(), 0);
  EXPECT_EQ(Submit(MemorySpec("late", "1s"))->status, 503);  // nothing new from now on
  EXPECT_EQ(GetJson("/api/v1/health")["server_state"], "draining");
  EXPECT_EQ(WaitState(running, "succeeded")["state"], "succeeded");
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(GetJson("/api/v1/experiments/" + waiting)["state"], "queued");
  httplib::Result ok = client_->Post("/api/v1/shutdown");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 202);
  EXPECT_EQ(json::parse(ok->body)["state"], "stopping");
  EXPECT_TRUE(scheduler_->WaitForStopRequest(std::chrono::seconds(1)));
  StopServer();
  // The queued experiment survives the restart and runs.
  StartServer();
  EXPECT_EQ(WaitState(waiting, "succeeded")["state"], "succeeded");
}

TEST_F(HttpApiTest, ShutdownWhenIdleStopsAfterTheRun) {
  StartServer();
  const std::string running = SubmitOk(MemorySpec("drain", "2s"));
  WaitState(running, "running", 30);
  httplib::Result res = client_->Post("/api/v1/shutdown?when=idle");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 202);
  EXPECT_EQ(json::parse(res->body)["state"], "draining");
  EXPECT_FALSE(scheduler_->WaitForStopRequest(std::chrono::milliseconds(100)));
  EXPECT_TRUE(scheduler_->WaitForStopRequest(std::chrono::seconds(30)));
  EXPECT_EQ(GetJson("/api/v1/experiments/" + running)["state"], "succeeded");
  EXPECT_EQ(client_->Post("/api/v1/shutdown?when=later")->status, 400);
}

TEST_F(HttpApiTest, OpenApiDescribesExactlyTheRealRoutes) {
  StartServer("", false);
  const std::string id = SubmitOk(MemorySpec("doc", "1s"));
  const json doc = GetJson("/api/v1/openapi.json");
  EXPECT_EQ(doc["openapi"], "3.1.0");
  std::set<std::string> documented;
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const auto& [method, op] : item.items()) {
      std::string upper = method;
      for (char& c : upper) c = static_cast<char>(std::toupper(c));
      documented.insert(upper + " " + path);
    }
  }
  const std::vector<std::string> routes = server_->Routes();
  EXPECT_EQ(documented, std::set<std::string>(routes.begin(), routes.end()));
  // Every documented GET answers at its path (ids filled in), never with "no route".
  for (const std::string& route : documented) {
    if (route.rfind("GET ", 0) != 0 || route.find("/events") != std::string::npos) continue;
    std::string path = route.substr(4);
    path = std::regex_replace(path, std::regex(R"(\{id\})"), id);
    path = std::regex_replace(path, std::regex(R"(\{file\})"), "run-01-memory.hlog");
    if (path == "/api/v1/compare") path += "?ids=" + id + "," + id;
    httplib::Result res = client_->Get(path.c_str());
    ASSERT_TRUE(res) << path;
    EXPECT_NE(res->status, 405) << path;
    if (res->status == 404) {
      EXPECT_NE(res->body.find("does not exist"), std::string::npos) << path << res->body;
    }
  }
}

TEST_F(HttpApiTest, ListFiltersPagingMetricsAndHealth) {
  StartServer("", false);
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(SubmitOk(MemorySpec(i % 2 ? "odd" : "even", "1s")));
  json page = GetJson("/api/v1/experiments?limit=2");
  ASSERT_EQ(page["experiments"].size(), 2u);
  EXPECT_EQ(page["experiments"][0]["id"], ids[4]);
  EXPECT_EQ(page["experiments"][0]["position"], 5);
  page = GetJson("/api/v1/experiments?limit=2&cursor=" + page["next_cursor"].get<std::string>());
  EXPECT_EQ(page["experiments"][0]["id"], ids[2]);
  EXPECT_EQ(GetJson("/api/v1/experiments?name=odd")["experiments"].size(), 2u);
  EXPECT_EQ(GetJson("/api/v1/experiments?state=queued&system=memory")["experiments"].size(), 5u);
  GetJson("/api/v1/experiments?state=bogus", 400);
  GetJson("/api/v1/experiments?limit=0", 400);
  GetJson("/api/v1/experiments?cursor=abc", 400);
  const json health = GetJson("/api/v1/health");
  EXPECT_EQ(health["queued"], 5);
  EXPECT_EQ(health["server_state"], "idle");
  httplib::Result metrics = client_->Get("/metrics");
  ASSERT_TRUE(metrics && metrics->status == 200);
  EXPECT_NE(metrics->body.find("bakeoff_queue_depth 5\n"), std::string::npos) << metrics->body;
  EXPECT_NE(metrics->body.find("bakeoff_experiments{state=\"queued\"} 5\n"), std::string::npos);
  EXPECT_NE(metrics->body.find(
                "bakeoff_http_requests_total{route=\"/api/v1/experiments\",method=\"POST\",code=\"201\"} 5"),
            std::string::npos)
      << metrics->body;
  EXPECT_TRUE(metrics->get_header_value("Access-Control-Allow-Origin").empty());
}

TEST_F(HttpApiTest, StaticWebUiAndExamples) {
  StartServer("", false);
  httplib::Result none = client_->Get("/");
  ASSERT_TRUE(none && none->status == 200);
  EXPECT_NE(none->body.find("not built"), std::string::npos);
  std::filesystem::create_directories(dir_ / "web" / "assets");
  std::filesystem::create_directories(dir_ / "examples");
  std::ofstream(dir_ / "web" / "index.html") << "<html>the ui</html>";
  std::ofstream(dir_ / "web" / "assets" / "app.js") << "console.log(1)";
  std::ofstream(dir_ / "examples" / "one.yaml") << "name: one\n";
  std::ofstream(dir_ / "examples" / "notes.txt") << "not an example";
  EXPECT_EQ(client_->Get("/")->body, "<html>the ui</html>");
  EXPECT_EQ(client_->Get("/experiments/abc")->body, "<html>the ui</html>");  // client-side route
  httplib::Result js = client_->Get("/assets/app.js");
  EXPECT_EQ(js->body, "console.log(1)");
  EXPECT_EQ(js->get_header_value("Content-Type"), "text/javascript");
  EXPECT_EQ(client_->Get("/assets/missing.js")->status, 404);
  EXPECT_EQ(client_->Get("/../queue.sqlite")->body, "<html>the ui</html>");
  const json examples = GetJson("/api/v1/examples");
  ASSERT_EQ(examples["examples"].size(), 1u);
  EXPECT_EQ(examples["examples"][0]["name"], "one.yaml");
  EXPECT_EQ(examples["examples"][0]["text"], "name: one\n");
}

}  // namespace
}  // namespace bakeoff::testing
