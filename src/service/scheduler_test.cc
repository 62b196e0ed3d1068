// The queue and the scheduler without HTTP: order, states, cancel, deferred shutdown, recovery.
#include "service/scheduler.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "service/sqlite_queue.h"
#include "service/submission.h"

namespace bakeoff {
namespace {

std::string MemorySpec(const std::string& name, const std::string& duration) {
  return "name: " + name +
         "\nsystems:\n  - name: memory\n    driver: memory\nworkload:\n  rate: 2k/s\n  message_size: 64B\n"
         "  warmup: 0s\n  duration: " +
         duration + "\n";
}

class SchedulerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("bakeoff-scheduler-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    options_.data_dir = dir_.string();
    options_.env_state_dir = (dir_ / "env-state").string();
    options_.env_work_root = (dir_ / "env-work").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<SqliteExperimentQueue> OpenQueue() {
    auto q = SqliteExperimentQueue::Open((dir_ / "queue.sqlite").string());
    EXPECT_TRUE(q.ok()) << q.status().ToString();
    return std::move(*q);
  }

  ExperimentRecord SubmitSpec(Scheduler& s, const std::string& text) {
    ParseOutcome parsed = ParseSubmission(text, "test.yaml");
    EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.diagnostics[0].ToString());
    Result<ExperimentRecord> r = s.Submit(text, "yaml", parsed.experiment);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return *r;
  }

  ExperimentState WaitTerminal(ExperimentQueue& q, const std::string& id, int seconds = 60) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < deadline) {
      auto r = q.Get(id);
      if (r.ok() && r->has_value() && IsTerminal((*r)->state)) return (*r)->state;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return ExperimentState::kQueued;
  }

  std::filesystem::path dir_;
  SchedulerOptions options_;
};

TEST_F(SchedulerTest, RunsInOrderAndIndexesResults) {
  auto queue = OpenQueue();
  Scheduler scheduler(*queue, options_);
  const ExperimentRecord a = SubmitSpec(scheduler, MemorySpec("first", "1s"));
  const ExperimentRecord b = SubmitSpec(scheduler, MemorySpec("second", "1s"));
  ASSERT_TRUE(scheduler.Start().ok());
  EXPECT_EQ(WaitTerminal(*queue, a.id), ExperimentState::kSucceeded);
  EXPECT_EQ(WaitTerminal(*queue, b.id), ExperimentState::kSucceeded);
  auto ra = *queue->Get(a.id);
  auto rb = *queue->Get(b.id);
  EXPECT_LE(ra->finished_unix_ns, rb->started_unix_ns);
  EXPECT_EQ(ra->exit_code.value_or(-1), 0);
  EXPECT_TRUE(std::filesystem::exists(ra->result_dir + "/result.json"));
  EXPECT_TRUE(std::filesystem::exists(dir_ / "results" / "index.sqlite"));
  EXPECT_NE(ra->headline_json, "[]");
}

TEST_F(SchedulerTest, CancelQueuedAndRunning) {
  auto queue = OpenQueue();
  Scheduler scheduler(*queue, options_);
  const ExperimentRecord a = SubmitSpec(scheduler, MemorySpec("long", "60s"));
  const ExperimentRecord b = SubmitSpec(scheduler, MemorySpec("never", "1s"));
  ASSERT_EQ(*scheduler.Cancel(b.id), CancelOutcome::kCancelledQueued);
  ASSERT_TRUE(scheduler.Start().ok());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!scheduler.Live() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_TRUE(scheduler.Live().has_value());
  EXPECT_EQ(*scheduler.Cancel(a.id), CancelOutcome::kStopRequested);
  EXPECT_EQ(WaitTerminal(*queue, a.id, 30), ExperimentState::kCancelled);
  EXPECT_EQ((*queue->Get(b.id))->state, ExperimentState::kCancelled);
  EXPECT_EQ((*queue->Get(b.id))->started_unix_ns, 0);
  EXPECT_EQ(*scheduler.Cancel(a.id), CancelOutcome::kAlreadyTerminal);
  EXPECT_EQ(*scheduler.Cancel("no-such-id"), CancelOutcome::kNotFound);
}

TEST_F(SchedulerTest, DeferredShutdownAndRestartKeepsQueue) {
  std::string queued_id;
  {
    auto queue = OpenQueue();
    Scheduler scheduler(*queue, options_);
    const ExperimentRecord a = SubmitSpec(scheduler, MemorySpec("running", "3s"));
    queued_id = SubmitSpec(scheduler, MemorySpec("queued", "1s")).id;
    ASSERT_TRUE(scheduler.Start().ok());
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!scheduler.Live() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ShutdownReply busy = scheduler.RequestShutdown(false);
    EXPECT_EQ(busy.kind, ShutdownReply::kBusy);
    EXPECT_EQ(busy.running_id, a.id);
    EXPECT_GT(busy.eta_s, 0);
    EXPECT_EQ(WaitTerminal(*queue, a.id), ExperimentState::kSucceeded);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    EXPECT_EQ((*queue->Get(queued_id))->state, ExperimentState::kQueued);  // draining: nothing new
    EXPECT_EQ(scheduler.RequestShutdown(false).kind, ShutdownReply::kStopNow);
    EXPECT_TRUE(scheduler.WaitForStopRequest(std::chrono::milliseconds(100)));
    scheduler.Stop();
  }
  auto queue = OpenQueue();
  Scheduler restarted(*queue, options_);
  ASSERT_TRUE(restarted.Start().ok());
  EXPECT_EQ(WaitTerminal(*queue, queued_id), ExperimentState::kSucceeded);
}

TEST_F(SchedulerTest, RecoveryMarksActiveInterruptedAndContinues) {
  std::string crashed_id, next_id;
  {
    auto queue = OpenQueue();
    ExperimentRecord r;
    r.id = "crashed";
    r.name = "crashed";
    r.spec_text = MemorySpec("crashed", "1s");
    ASSERT_TRUE(queue->Enqueue(r, 0).ok());
    r.id = "next";
    r.spec_text = MemorySpec("next", "1s");
    ASSERT_TRUE(queue->Enqueue(r, 0).ok());
    auto claimed = queue->ClaimNext(1, (dir_ / "results").string());  // as a server that then died
    ASSERT_TRUE(claimed.ok() && claimed->has_value());
    ASSERT_TRUE(queue->SetActiveState("crashed", ExperimentState::kRunning).ok());
  }
  auto queue = OpenQueue();
  Scheduler scheduler(*queue, options_);
  ASSERT_TRUE(scheduler.Start().ok());
  EXPECT_EQ((*queue->Get("crashed"))->state, ExperimentState::kInterrupted);
  EXPECT_EQ((*queue->Get("crashed"))->exit_code.value_or(-1), 130);
  EXPECT_EQ(WaitTerminal(*queue, "next"), ExperimentState::kSucceeded);
}

TEST_F(SchedulerTest, QueueFullAndPaging) {
  auto queue = OpenQueue();
  for (int i = 0; i < 7; ++i) {
    ExperimentRecord r;
    r.id = "e" + std::to_string(i);
    r.name = i % 2 ? "odd" : "even";
    r.systems = {"memory", i % 2 ? "redis" : "nats"};
    ASSERT_TRUE(queue->Enqueue(r, 7).ok());
  }
  ExperimentRecord extra;
  extra.id = "e7";
  EXPECT_EQ(queue->Enqueue(extra, 7).status().code(), StatusCode::kQueueFull);
  ExperimentListQuery q;
  q.limit = 3;
  auto page = *queue->List(q);
  ASSERT_EQ(page.experiments.size(), 3u);
  EXPECT_EQ(page.experiments[0].id, "e6");
  q.before_seq = page.next_before_seq;
  page = *queue->List(q);
  EXPECT_EQ(page.experiments[0].id, "e3");
  q = {};
  q.system = "redis";
  EXPECT_EQ(queue->List(q)->experiments.size(), 3u);
  q = {};
  q.name = "even";
  EXPECT_EQ(queue->List(q)->experiments.size(), 4u);
  EXPECT_EQ(queue->QueuedIds()->front(), "e0");
}

}  // namespace
}  // namespace bakeoff
