// `structlab report` opened in a real browser: Debian's headless Chromium loads the page from a file:// URL
// with networking disabled; the page must raise no error and draw every chart with the expected number of
// marks. A PNG screenshot of each report is saved under <build>/tests/report-screenshots/.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "integration/results_sweeps.hpp"
#include "support/run_process.hpp"
#include "unit/results/collect_samples.hpp"

namespace structlab {
namespace {

namespace fs = std::filesystem;
using testing::make_temp_dir;
using testing::run_process;
using testing::run_structlab;

const char* kChromium = "/usr/bin/chromium";

using testing::read_text;

std::string html_unescaped(std::string text) {
  for (auto [from, to] : {std::pair<const char*, const char*>{"&quot;", "\""},
                          {"&lt;", "<"},
                          {"&gt;", ">"},
                          {"&#39;", "'"},
                          {"&amp;", "&"}}) {
    for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + 1)) {
      text.replace(at, std::string(from).size(), to);
    }
  }
  return text;
}

// Chromium with every way out of the machine closed: no proxy reachable, no name resolves, no background
// fetches.
std::string chromium_command(const std::string& profile, const std::string& action, const std::string& url) {
  return fmt::format(
      "DBUS_SESSION_BUS_ADDRESS=disabled: {} --headless --no-sandbox --disable-gpu --no-first-run "
      "--disable-background-networking --disable-component-update --disable-sync --disable-extensions "
      "--proxy-server=http://127.0.0.1:9 --host-resolver-rules='MAP * ~NOTFOUND' --user-data-dir={} "
      "--virtual-time-budget=5000 {} '{}'",
      kChromium, profile, action, url);
}

// What the page reported about itself after rendering.
struct RenderedPage {
  nlohmann::json status;  // charts, drawings, tables, errors
  std::string dom;
};

RenderedPage open_in_chromium(const std::string& report, const std::string& screenshot_name) {
  std::string url = "file://" + fs::absolute(report).string();
  std::string profile = make_temp_dir("chromium-profile");
  auto dump = run_process(chromium_command(profile, "--dump-dom", url));
  EXPECT_EQ(dump.exit_code, 0) << dump.err;
  RenderedPage page;
  page.dom = dump.out;
  EXPECT_EQ(dump.out.find("data-errors="), std::string::npos)
      << "the page raised errors: " << dump.out.substr(0, 400);
  const std::string open = "<pre id=\"structlab-render-status\" hidden=\"\">";
  std::size_t start = dump.out.find(open);
  std::size_t end = dump.out.find("</pre>", start);
  EXPECT_NE(start, std::string::npos) << "no render status in the page";
  if (start != std::string::npos && end != std::string::npos) {
    page.status = nlohmann::json::parse(
        html_unescaped(dump.out.substr(start + open.size(), end - start - open.size())));
  }
  fs::path screenshots = fs::path(STRUCTLAB_TEST_BINARY_DIR) / "report-screenshots";
  fs::create_directories(screenshots);
  std::string png = (screenshots / (screenshot_name + ".png")).string();
  // a fresh profile: the first browser may still hold the other one's lock while it shuts down
  auto shot = run_process(chromium_command(make_temp_dir("chromium-profile-shot"),
                                           "--window-size=1200,3200 --screenshot=" + png, url));
  EXPECT_EQ(shot.exit_code, 0) << shot.err;
  EXPECT_GT(fs::exists(png) ? fs::file_size(png) : 0u, 10000u) << "no screenshot at " << png;
  return page;
}

// The points of the datasets of chart \p id with role \p role.
std::vector<int> points_of(const nlohmann::json& status, const std::string& id,
                           const std::string& role = "data") {
  std::vector<int> points;
  if (!status["charts"].contains(id)) {
    ADD_FAILURE() << "no chart " << id << " in " << status["charts"].dump();
    return points;
  }
  for (const auto& dataset : status["charts"][id]["datasets"]) {
    if (dataset["role"] == role) points.push_back(dataset["points"].get<int>());
  }
  return points;
}

class ReportInBrowser : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(kChromium)) << "Debian's chromium is needed (bash tools/setup.sh)";
    dir_ = make_temp_dir("report-browser");
    csv_ = testing::write_classification_csv(dir_);
  }
  std::string report(const std::string& what, const std::string& extra = "") {
    std::string html = dir_ + "/report.html";
    auto result = run_structlab(fmt::format("report {} -o {} {}", what, html, extra));
    EXPECT_EQ(result.exit_code, 0) << result.err;
    std::string page = read_text(html);
    // self-contained: no external script, style, image or font
    for (const char* outside : {"src=\"http", "href=\"http", "src=\"//", "@import", "url(http"}) {
      EXPECT_EQ(page.find(outside), std::string::npos) << "the page refers outside: " << outside;
    }
    return html;
  }
  std::string dir_;
  std::string csv_;
};

TEST_F(ReportInBrowser, SingleRun) {
  auto run = testing::run_spec(dir_, "single", testing::single_run_spec(csv_));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  RenderedPage page = open_in_chromium(report(dir_ + "/runs", "--title 'one run'"), "single-run");
  ASSERT_TRUE(page.status.value("done", false)) << page.status.dump();
  EXPECT_TRUE(page.status["errors"].empty()) << page.status["errors"].dump();
  EXPECT_EQ(page.status["tables"]["runs-table"], 1);
  EXPECT_EQ(page.status["tables"]["failures"], 0);
  EXPECT_EQ(points_of(page.status, "curve-test_accuracy-single"), std::vector<int>{3});  // 3 epochs
  EXPECT_EQ(points_of(page.status, "curve-test_loss-single"), std::vector<int>{3});
  EXPECT_FALSE(page.status["charts"].contains("accuracy-density-single")) << "nothing was pruned";
  EXPECT_NE(page.dom.find("<title>one run</title>"), std::string::npos);
}

TEST_F(ReportInBrowser, PrunedSweepWithTwoSeeds) {
  auto run = testing::run_spec(dir_, "pruned", testing::pruned_sweep_spec(csv_));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  testing::SampleRun failed;
  failed.run_id = "pruned-00000000ff";
  failed.spec = "experiment: pruned\nseeds: [9]\ntraining:\n  lr: 0.05\n";
  failed.status = "failed";
  failed.message = "training diverged: loss is NaN <in epoch 1>";
  failed.stages = 0;
  testing::write_sample_run(dir_ + "/runs/failed/pruned-00000000ff.h5", failed);
  RenderedPage page = open_in_chromium(report(dir_ + "/runs"), "pruned-sweep");
  ASSERT_TRUE(page.status.value("done", false)) << page.status.dump();
  EXPECT_EQ(page.status["tables"]["runs-table"], 5);
  EXPECT_EQ(page.status["tables"]["failures"], 1);
  EXPECT_NE(page.dom.find("training diverged: loss is NaN &lt;in epoch 1&gt;"), std::string::npos);
  // one line per learning rate, one point per stage (trained + 2 levels), a min-max band pair for each
  EXPECT_EQ(points_of(page.status, "accuracy-density-pruned", "mean"), (std::vector<int>{3, 3}));
  EXPECT_EQ(points_of(page.status, "accuracy-density-pruned", "band"), (std::vector<int>{3, 3, 3, 3}));
  // epochs: 2 per stage, 3 stages
  EXPECT_EQ(points_of(page.status, "curve-test_accuracy-pruned"), (std::vector<int>{6, 6}));
  // per-layer density: a bar per layer (input, main_1, output) for each of the 3 stages
  EXPECT_EQ(points_of(page.status, "layer-density-pruned-training-lr-0-01"), (std::vector<int>{3, 3, 3}));
  EXPECT_EQ(points_of(page.status, "layer-density-pruned-training-lr-0-05"), (std::vector<int>{3, 3, 3}));
}

TEST_F(ReportInBrowser, StructureGrid) {
  auto run = testing::run_spec(dir_, "structures", testing::structure_grid_spec(csv_));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  RenderedPage page = open_in_chromium(report(dir_ + "/runs"), "structure-grid");
  ASSERT_TRUE(page.status.value("done", false)) << page.status.dump();
  // the (p, k) heat map: one cell per grid point
  EXPECT_EQ(points_of(page.status, "heatmap-structures"), std::vector<int>{4});
  // final accuracy against the structure's layers (k and p change the depth of a random orientation)
  bool any_metric_chart = false;
  for (const auto& [id, chart] : page.status["charts"].items()) {
    if (id.rfind("structure-", 0) == 0) {
      any_metric_chart = true;
      EXPECT_EQ(chart["datasets"][0]["points"], 4) << id;
    }
  }
  EXPECT_TRUE(any_metric_chart) << page.status["charts"].dump();
  // drawings of each configuration before and after pruning: 16 vertices, pruned edges gone
  ASSERT_EQ(page.status["drawings"].size(), 8u) << page.status["drawings"].dump();
  for (int d = 0; d < 4; ++d) {
    const auto& before = page.status["drawings"][fmt::format("drawing-{}-before", d)];
    const auto& after = page.status["drawings"][fmt::format("drawing-{}-after", d)];
    EXPECT_EQ(before["vertices"], 16);
    EXPECT_EQ(after["vertices"], 16);
    EXPECT_LT(after["edges"].get<int>(), before["edges"].get<int>());
    EXPECT_GT(after["edges"].get<int>(), 0);
  }
}

TEST_F(ReportInBrowser, StructureSampleIsAHeatMapOverItsMeasures) {
  auto run = testing::run_spec(dir_, "sampled", testing::structure_sample_spec(csv_));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  int archives = 0;
  for (const auto& entry : fs::directory_iterator(dir_ + "/runs/sampled")) archives += entry.path().extension() == ".h5";
  ASSERT_GE(archives, 4) << "200 graphs of 8 vertices fill at least 4 of the 16 bins";
  RenderedPage page = open_in_chromium(report(dir_ + "/runs"), "structure-sample");
  ASSERT_TRUE(page.status.value("done", false)) << page.status.dump();
  EXPECT_TRUE(page.status["errors"].empty()) << page.status["errors"].dump();
  // mean accuracy per cell of binned C x L: every run lands in one cell, so at most one cell per run
  const std::vector<int> cells = points_of(page.status, "heatmap-measures-sampled");
  ASSERT_EQ(cells.size(), 1u);
  EXPECT_GE(cells[0], 2);
  EXPECT_LE(cells[0], archives);
  EXPECT_FALSE(page.status["charts"].contains("heatmap-sampled"))
      << "drawn parameters and graph seeds are no grid to draw a heat map over";
  EXPECT_EQ(points_of(page.status, "structure-average_clustering-sampled"), std::vector<int>{archives});
}

}  // namespace
}  // namespace structlab
