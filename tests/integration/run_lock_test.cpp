// One process per run: the run lock, the skip rule (same full spec hash only) and what is left on disk when
// two processes meet.

#include "structlab/run/run_lock.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "structlab/archive/run_archive.hpp"
#include "support/run_process.hpp"

namespace structlab {
namespace {

namespace fs = std::filesystem;
using testing::make_temp_dir;
using testing::run_process;
using testing::run_structlab;

#define EXPECT_CONTAINS(text, part) EXPECT_NE((text).find(part), std::string::npos) << (text)

const char* kSpec = R"(experiment: locking
seeds: [1]
dataset: {plugin: function, train_size: 64, test_size: 16}
model: {plugin: ffn, hidden_widths: [4]}
training: {epochs: 1, batch_size: 32}
)";

std::string host_name() {
  char host[256] = {0};
  ::gethostname(host, sizeof(host) - 1);
  return host;
}

struct Experiment {
  std::string dir = make_temp_dir("run-lock");
  std::string spec = dir + "/spec.yaml";
  fs::path folder = fs::path(dir) / "out" / "locking";

  explicit Experiment(const std::string& text = kSpec) { std::ofstream(spec) << text; }
  std::string run_id() const {
    auto listed = run_structlab("run " + spec + " --out " + dir + "/out --dry-run");
    std::istringstream line(listed.out);
    std::string index, id;
    line >> index >> id;
    return id;
  }
  fs::path archive() const { return folder / (run_id() + ".h5"); }
  testing::ProcessResult run(const std::string& extra = "") const {
    return run_structlab("run " + spec + " --out " + dir + "/out " + extra);
  }
};

void write_lock(const fs::path& path, const std::string& host, long pid) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << host << " " << pid << " 2026-11-30T00:00:00Z\n";
}

TEST(RunLock, ARunHeldByALiveProcessIsLeftAlone) {
  Experiment experiment;
  const fs::path lock = run::lock_path_of(experiment.archive());
  write_lock(lock, host_name(), static_cast<long>(::getpid()));  // this test process: alive
  auto result = experiment.run();
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_CONTAINS(result.out, "locked");
  EXPECT_CONTAINS(result.err, "another process is running it: host " + host_name() + ", pid " +
                                  std::to_string(::getpid()));
  EXPECT_TRUE(fs::exists(lock)) << "another process's lock is never removed";
  EXPECT_FALSE(fs::exists(experiment.archive()));
}

TEST(RunLock, ALockOfADeadProcessOnThisHostIsTakenOver) {
  Experiment experiment;
  const fs::path lock = run::lock_path_of(experiment.archive());
  auto child = run_process("sh -c 'echo $$'");  // a pid that has exited
  write_lock(lock, host_name(), std::stol(child.out));
  auto result = experiment.run();
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(archive::archive_state(experiment.archive()), archive::ArchiveState::completed);
  EXPECT_FALSE(fs::exists(lock)) << "the lock is released when the run ends";
}

TEST(RunLock, OtherHostsLocksCountUntilTheirHeartbeatIsOld) {
  Experiment experiment;
  const fs::path lock = run::lock_path_of(experiment.archive());
  write_lock(lock, "some-other-node", 12345);
  auto fresh = experiment.run();
  EXPECT_CONTAINS(fresh.err, "host some-other-node, pid 12345");
  EXPECT_FALSE(fs::exists(experiment.archive()));

  // an hour without a heartbeat: the node is gone
  fs::last_write_time(lock, fs::file_time_type::clock::now() - std::chrono::hours(1));
  auto stale = experiment.run();
  EXPECT_EQ(stale.exit_code, 0) << stale.err;
  EXPECT_EQ(archive::archive_state(experiment.archive()), archive::ArchiveState::completed);
}

TEST(RunLock, TwoProcessesOnOneSpecRunItOnce) {
  Experiment experiment(R"(experiment: locking
seeds: [1]
dataset: {plugin: function, train_size: 2000, test_size: 16}
model: {plugin: ffn, hidden_widths: [32]}
training: {epochs: 60, batch_size: 8, threads: 1}
)");
  const std::string command = std::string("'") + STRUCTLAB_TEST_CLI + "' run " + experiment.spec + " --out " +
                              experiment.dir + "/out";
  run_process("(" + command + " > " + experiment.dir + "/a.txt 2>&1; echo a=$? >> " + experiment.dir +
              "/codes) & (" + command + " > " + experiment.dir + "/b.txt 2>&1; echo b=$? >> " +
              experiment.dir + "/codes) & wait");
  std::ifstream codes(experiment.dir + "/codes");
  std::stringstream text;
  text << codes.rdbuf();
  EXPECT_CONTAINS(text.str(), "a=0");
  EXPECT_CONTAINS(text.str(), "b=0");
  // the run was executed once: the other process found it locked (or, had the first already finished,
  // complete)
  auto output_of = [&](const char* name) {
    std::ifstream in(experiment.dir + "/" + name);
    std::stringstream out;
    out << in.rdbuf();
    return out.str();
  };
  const std::string a = output_of("a.txt"), b = output_of("b.txt");
  auto stood_aside = [](const std::string& text) {
    return text.find("another process is running it") != std::string::npos ||
           text.find("skipped (complete archive") != std::string::npos;
  };
  EXPECT_NE(stood_aside(a), stood_aside(b)) << "a:\n" << a << "\nb:\n" << b;
  EXPECT_EQ(archive::archive_state(experiment.archive()), archive::ArchiveState::completed);
  EXPECT_FALSE(fs::exists(run::lock_path_of(experiment.archive())));
}

TEST(RunIdentity, ACompletedArchiveOfAnotherRunIsNotTakenForThisOne) {
  Experiment first;
  ASSERT_EQ(first.run().exit_code, 0);
  std::string other = kSpec;
  other.replace(other.find("seeds: [1]"), 10, "seeds: [2]");
  Experiment second(other);
  // a different run's completed archive copied in under this run's name
  fs::create_directories(second.folder);
  fs::copy_file(first.archive(), second.archive());
  const auto before = fs::file_size(second.archive());
  auto result = second.run();
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_CONTAINS(result.out, "is a completed archive of another run");
  EXPECT_CONTAINS(result.out, "not overwritten");
  EXPECT_EQ(fs::file_size(second.archive()), before) << "the foreign archive is left as it was";
}

TEST(RunIdentity, ACompletedArchiveOfThisRunIsSkipped) {
  Experiment experiment;
  ASSERT_EQ(experiment.run().exit_code, 0);
  auto again = experiment.run();
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_CONTAINS(again.out, "skipped");
}

TEST(RunArchive, AFailedAttemptNeverReplacesACompletedArchive) {
  const fs::path dir = make_temp_dir("failed-after-completed");
  const fs::path final_path = dir / "run.h5";
  {
    archive::RunArchiveWriter writer(final_path);
    writer.write_spec("experiment: x\n");
    writer.finish("completed", "", "2026-11-30T00:00:00Z");
  }
  archive::RunArchiveWriter retry(final_path);
  retry.write_spec("experiment: x\n");
  retry.finish("failed", "boom", "2026-11-30T00:00:01Z");
  EXPECT_EQ(archive::archive_state(final_path), archive::ArchiveState::completed);
  EXPECT_EQ(retry.final_path(), dir / "run.h5.failed");
  EXPECT_EQ(archive::archive_state(dir / "run.h5.failed"), archive::ArchiveState::failed);
}

TEST(RunOutput, AnOutputFolderThatCannotBeWrittenFailsBeforeAnyRun) {
  Experiment experiment;
  auto result = run_structlab("run " + experiment.spec + " --out /proc/structlab-cannot-be-here");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_CONTAINS(result.err, "--out: cannot create /proc/structlab-cannot-be-here/locking");
}

}  // namespace
}  // namespace structlab
