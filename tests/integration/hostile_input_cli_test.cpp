// What a user reads when the `structlab` program meets hostile or broken input (issue #11): deep nesting, a
// corrupt library among the plugins, sizes beyond the memory, a full standard output, a failed run's archive,
// a dataset path with a typo. Never a segfault, never exit 0 with the output lost.

#include <elf.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "support/run_process.hpp"

namespace structlab {
namespace {

namespace fs = std::filesystem;
using testing::make_temp_dir;
using testing::run_structlab;

std::string write_file(const fs::path& file, const std::string& text) {
  std::ofstream(file, std::ios::binary) << text;
  return file.string();
}

// A spec on the CSV file \p data: with a fine header (validation passes) and a non-numeric row (loading fails),
// its run fails before it has a structure.
std::string failing_run_spec(const fs::path& data) {
  return "experiment: broken\n"
         "dataset: {plugin: csv, path: \"" + data.string() + "\", test_fraction: 0.5}\n"
         "model: {plugin: ffn, hidden_widths: [4]}\n"
         "training: {epochs: 1, batch_size: 2, threads: 1}\n";
}

// Runs structlab with its standard output on /dev/full (in a subshell: run_process redirects the outer one).
testing::ProcessResult to_full_device(const std::string& arguments) {
  return testing::run_process(std::string("( '") + STRUCTLAB_TEST_CLI + "' " + arguments + " > /dev/full )");
}

TEST(HostileInputCli, GraphFromFileNestedDeepIsAnErrorNotASegfault) {
  fs::path dir = make_temp_dir("deep-graphs");
  std::string json = write_file(dir / "deep.json", "{\"edges\": " + std::string(100000, '[') + std::string(100000, ']') + "}");
  auto result = run_structlab("graph from_file path=" + json);
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_NE(result.err.find(json + ": JSON nested deeper than 256 levels"), std::string::npos) << result.err;

  std::string dot = write_file(dir / "deep.dot", "digraph {" + std::string(20000, '{') + std::string(20000, '}') + "}");
  result = run_structlab("graph from_file path=" + dot);
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_NE(result.err.find(dot + ": DOT nested deeper than 256 levels"), std::string::npos) << result.err;
}

TEST(HostileInputCli, GeneratorBeyondMemorySaysWhatItWouldNeed) {
  auto result = run_structlab("graph erdos_renyi n=1000000 p=0.5");
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_NE(result.err.find("needs about 16.0 TB of memory for a graph of 1000000 vertices"), std::string::npos)
      << result.err;
  EXPECT_EQ(result.err.find("internal error"), std::string::npos) << result.err;
}

TEST(HostileInputCli, EdgeListVertexIdBeyondMemoryIsAnError) {
  fs::path dir = make_temp_dir("huge-edgelist");
  std::string file = write_file(dir / "huge.txt", "0 3000000000\n");
  auto result = run_structlab("graph from_file path=" + file);
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_NE(result.err.find(file + ": needs about 192.0 GB of memory"), std::string::npos) << result.err;
}

TEST(HostileInputCli, ACorruptLibraryInAPluginFolderIsNamed) {
  fs::path dir = make_temp_dir("corrupt-plugin");
  std::ifstream in(fs::path(STRUCTLAB_TEST_FIXTURE_DIR) / "libfixture_good.so", std::ios::binary);
  std::vector<char> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  ASSERT_GT(bytes.size(), sizeof(Elf64_Ehdr));
  reinterpret_cast<Elf64_Ehdr*>(bytes.data())->e_shoff = 1ull << 40;
  fs::path library = dir / "libcorrupt.so";
  std::ofstream(library, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  auto result = run_structlab("--plugin-path " + dir.string() + " plugins");
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_NE(result.err.find(library.string() + ": a corrupt ELF shared object in a plugin folder"), std::string::npos)
      << result.err;
}

// The disk fills up while archives are written. The file size limit (ulimit -f, with SIGXFSZ ignored) makes
// writes fail with EFBIG exactly where a full disk fails them with ENOSPC, without root or a small mount: the
// small run's archive fits and is kept, the big run fails with the system's reason, and the process exits 1
// (it used to crash in HDF5's exit handler, exit 139, after reporting the failures).
TEST(HostileInputCli, AFullDiskFailsTheRunsItStopsAndKeepsTheOthers) {
  fs::path dir = make_temp_dir("full-disk");
  std::string data = write_file(dir / "data.csv", "a,b,label\n0.1,0.2,0\n0.9,0.8,1\n0.2,0.1,0\n0.8,0.9,1\n");
  std::string spec = write_file(dir / "spec.yaml",
                                "experiment: disk\n"
                                "dataset: {plugin: csv, path: \"" + data + "\", test_fraction: 0.5}\n"
                                "model: {plugin: ffn, hidden_widths: [4]}\n"
                                "training: {epochs: 1, batch_size: 2, threads: 1}\n"
                                "grid: {model.hidden_widths: [[4], [300, 300]]}\n");
  fs::path out = dir / "out";
  auto result = testing::run_process("bash -c \"trap '' XFSZ; ulimit -f 200; exec '" + std::string(STRUCTLAB_TEST_CLI) +
                                     "' run " + spec + " --out " + out.string() + "\"");
  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  EXPECT_NE(result.out.find("2 runs, 1 failed"), std::string::npos) << result.out;
  EXPECT_NE(result.err.find("File too large: the disk or the quota is full, or the file size limit (ulimit -f) is "
                            "reached"),
            std::string::npos)
      << result.err;

  std::vector<std::string> left;
  for (const auto& entry : fs::directory_iterator(out / "disk")) left.push_back(entry.path().filename().string());
  ASSERT_EQ(left.size(), 1u) << "only the small run's archive, no partial or lock file left: " << left.size();
  EXPECT_EQ(fs::path(left[0]).extension(), ".h5") << left[0];
  auto inspected = run_structlab("inspect --json " + (out / "disk" / left[0]).string());
  EXPECT_EQ(inspected.exit_code, 0) << inspected.err;
  EXPECT_NE(inspected.out.find("\"status\": \"completed\""), std::string::npos) << inspected.out;
}

TEST(HostileInputCli, ThreadsAreCappedWithANote) {
  auto result = run_structlab("--threads 100000 version");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.err.find("note: --threads 100000 is more than"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("(4 per core); using"), std::string::npos) << result.err;
}

TEST(HostileInputCli, AFullStandardOutputIsAnError) {
  auto result = to_full_device("graph erdos_renyi n=2000 m=8000 --format json");
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_NE(result.err.find("cannot write to standard output"), std::string::npos) << result.err;
  result = to_full_device("graph erdos_renyi n=20 m=30");
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_NE(result.err.find("cannot write to standard output: No space left on device"), std::string::npos)
      << result.err;
}

TEST(HostileInputCli, ADatasetPathTypoIsOneValidationMessage) {
  fs::path dir = make_temp_dir("dataset-typo");
  std::string spec = write_file(dir / "spec.yaml", failing_run_spec(dir / "data.csv"));
  auto result = run_structlab("validate " + spec + " --set dataset.path=no-such.csv");
  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  EXPECT_NE((result.out + result.err).find("no-such.csv: cannot read: no such file"), std::string::npos)
      << result.out << result.err;
  result = run_structlab("run " + spec + " --set dataset.path=no-such.csv --out " + (dir / "out").string());
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_FALSE(fs::exists(dir / "out" / "broken")) << "an invalid spec writes no archive";
}

TEST(HostileInputCli, InspectShowsAFailedRunsStatusAndMessage) {
  fs::path dir = make_temp_dir("failed-run");
  write_file(dir / "data.csv", "a,label\n1,0\nx,1\n2,0\n3,1\n");
  std::string spec = write_file(dir / "spec.yaml", failing_run_spec(dir / "data.csv"));
  auto run = run_structlab("run " + spec + " --out " + (dir / "out").string());
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  std::vector<fs::path> archives;
  for (const auto& entry : fs::recursive_directory_iterator(dir / "out")) {
    if (entry.path().extension() == ".h5") archives.push_back(entry.path());
  }
  ASSERT_EQ(archives.size(), 1u) << run.out << run.err;

  auto text = run_structlab("inspect " + archives[0].string());
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("status     failed"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("message    "), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("data.csv:3"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("stopped before it had a structure or stages"), std::string::npos) << text.out;
  EXPECT_EQ(text.err.find("/structure"), std::string::npos) << text.err;

  auto json = run_structlab("inspect --json " + archives[0].string());
  EXPECT_EQ(json.exit_code, 0) << json.err;
  EXPECT_NE(json.out.find("\"status\": \"failed\""), std::string::npos) << json.out;
  EXPECT_NE(json.out.find("\"structure\": null"), std::string::npos) << json.out;

  auto full = to_full_device("inspect --json " + archives[0].string());
  EXPECT_EQ(full.exit_code, 1) << full.err;
  EXPECT_NE(full.err.find("cannot write to standard output"), std::string::npos) << full.err;
}

}  // namespace
}  // namespace structlab

namespace structlab {
namespace {

// A grid of 4 structures x 3000 learning rates (12 000 runs: more than a plan holds, so each value is checked on
// its own) where one structure, n=4 with m=20 edges, is invalid only as a combination.
std::string large_grid_with_a_bad_combination(const fs::path& dir) {
  std::string rates = "[";
  for (int i = 1; i <= 3000; ++i) rates += (i > 1 ? ", " : "") + std::to_string(i * 1e-5);
  rates += "]";
  const std::string data = write_file(dir / "data.csv", "a,b,label\n0,1,0\n1,0,1\n1,1,0\n0,0,1\n");
  return write_file(dir / "large.yaml",
                    "experiment: large\n"
                    "dataset: {plugin: csv, path: \"" + data + "\", target: label}\n"
                    "structure: {plugin: erdos_renyi, n: 10, m: 2}\n"
                    "model: {plugin: dan}\n"
                    "training: {epochs: 1, batch_size: 2, threads: 1}\n"
                    "grid:\n  structure.n: [10, 4]\n  structure.m: [2, 20]\n  training.lr: " + rates + "\n");
}

TEST(HostileInputCli, ALargeGridIsValidatedValueByValueAndListedOneRunAtATime) {
  const fs::path dir = make_temp_dir("large-grid");
  const std::string spec = large_grid_with_a_bad_combination(dir);
  auto validated = run_structlab("validate " + spec);
  EXPECT_EQ(validated.exit_code, 0) << validated.err;
  EXPECT_NE(validated.out.find("valid, 12000 runs"), std::string::npos) << validated.out;
  EXPECT_NE(validated.out.find("each grid value was checked once"), std::string::npos) << validated.out;

  // the listing names every run; the 3000 runs of n=4, m=20 are invalid, each named with what was expected
  auto listed = run_structlab("run " + spec + " --dry-run --out " + (dir / "out").string());
  EXPECT_EQ(listed.exit_code, 1);
  EXPECT_EQ(std::count(listed.out.begin(), listed.out.end(), '\n'), 12000) << listed.err;
  EXPECT_NE(listed.out.find("9000  invalid: run 9000 of experiment 'large'"), std::string::npos);
  EXPECT_NE(listed.out.find("structure.m"), std::string::npos);
  EXPECT_NE(listed.err.find("3000 of 12000 runs are invalid combinations of grid values"), std::string::npos)
      << listed.err;
  EXPECT_FALSE(fs::exists(dir / "out")) << "a dry run writes nothing";

  // one run of the grid by index: built on its own; the invalid combination fails with its message
  auto first = run_structlab("run " + spec + " --run-index 1 --out " + (dir / "out").string());
  EXPECT_EQ(first.exit_code, 0) << first.err;
  auto bad = run_structlab("run " + spec + " --run-index 9001 --out " + (dir / "out").string());
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE((bad.out + bad.err).find("structure.m"), std::string::npos) << bad.out << bad.err;

  // a Slurm task runs a run's pinned one-run spec by the sweep's id: its files carry that id, so status and the
  // next submission find it; invalid combinations are failed runs there, not an abort
  const std::size_t third_line = listed.out.find('\n', listed.out.find('\n') + 1);  // run 2 (run 1 is done)
  const std::string second_id = listed.out.substr(listed.out.find("large-", third_line), 6 + 16);
  auto written = run_structlab("slurm " + spec + " --dry-run --out " + (dir / "out").string());
  ASSERT_EQ(written.exit_code, 0) << written.err;
  EXPECT_NE(written.err.find("3000 runs of the grid are invalid combinations"), std::string::npos) << written.err;
  const fs::path pinned = dir / "out" / "large" / "slurm" / "specs" / (second_id + ".yaml");
  ASSERT_TRUE(fs::exists(pinned)) << pinned;
  auto task = run_structlab("run " + pinned.string() + " --run-id " + second_id + " --out " + (dir / "out").string());
  EXPECT_EQ(task.exit_code, 0) << task.err;
  EXPECT_TRUE(fs::exists(dir / "out" / "large" / (second_id + ".h5")));
  auto status = run_structlab("status " + spec + " --out " + (dir / "out").string());
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("12000 runs: 2 completed, 0 running, 0 interrupted, 3000 failed, 8998 not started"),
            std::string::npos)
      << status.out.substr(status.out.size() > 300 ? status.out.size() - 300 : 0);
}

}  // namespace
}  // namespace structlab
