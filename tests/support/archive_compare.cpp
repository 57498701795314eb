#include "support/archive_compare.hpp"

#include <fmt/format.h>

#include <cmath>

namespace structlab::testing {
namespace {

bool same(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

bool same_tensor(const torch::Tensor& a, const torch::Tensor& b) {
  if (a.defined() != b.defined()) return false;
  return !a.defined() || (a.sizes() == b.sizes() && a.scalar_type() == b.scalar_type() && torch::equal(a, b));
}

std::string compare_metrics(const std::string& where, const std::map<std::string, double>& a,
                            const std::map<std::string, double>& b) {
  if (a.size() != b.size()) return fmt::format("{}: {} metrics vs {}", where, a.size(), b.size());
  for (const auto& [name, value] : a) {
    auto other = b.find(name);
    if (other == b.end()) return fmt::format("{}: metric {} missing", where, name);
    if (!same(value, other->second))
      return fmt::format("{}: {} = {} vs {}", where, name, value, other->second);
  }
  return "";
}

std::string compare_stage(const archive::StageRecord& a, const archive::StageRecord& b) {
  const std::string where = fmt::format("stage {:02d}", a.index);
  if (a.index != b.index || a.description != b.description || a.series != b.series)
    return where + ": index, description or series differ";
  if (auto d = compare_metrics(where, a.metrics, b.metrics); !d.empty()) return d;
  if (auto d = compare_metrics(where + " structure", a.structure_metrics, b.structure_metrics); !d.empty())
    return d;
  if (a.structure.edge_array() != b.structure.edge_array()) return where + ": structures differ";
  if (a.layers.size() != b.layers.size()) return where + ": layer counts differ";
  for (std::size_t i = 0; i < a.layers.size(); ++i) {
    const auto& x = a.layers[i];
    const auto& y = b.layers[i];
    if (x.name != y.name) return where + ": layer names differ";
    if (!same_tensor(x.weight, y.weight)) return fmt::format("{} layer {}: weights differ", where, x.name);
    if (!same_tensor(x.bias, y.bias)) return fmt::format("{} layer {}: biases differ", where, x.name);
    if (!same_tensor(x.mask, y.mask)) return fmt::format("{} layer {}: masks differ", where, x.name);
  }
  if (a.parameters.size() != b.parameters.size()) return where + ": parameter counts differ";
  for (const auto& [name, tensor] : a.parameters) {
    auto other = b.parameters.find(name);
    if (other == b.parameters.end()) return fmt::format("{}: parameter {} missing", where, name);
    if (!same_tensor(tensor, other->second)) return fmt::format("{}: parameter {} differs", where, name);
  }
  return "";
}

}  // namespace

std::string first_difference(const archive::ArchiveSummary& expected, const archive::ArchiveSummary& actual) {
  if (expected.spec_yaml != actual.spec_yaml) return "specs differ";
  if (expected.structure.edge_array() != actual.structure.edge_array()) return "run structures differ";
  if (auto d = compare_metrics("structure", expected.structure_metrics, actual.structure_metrics); !d.empty())
    return d;
  if (expected.stages.size() != actual.stages.size()) {
    return fmt::format("{} stages vs {}", expected.stages.size(), actual.stages.size());
  }
  for (std::size_t i = 0; i < expected.stages.size(); ++i) {
    if (auto d = compare_stage(expected.stages[i], actual.stages[i]); !d.empty()) return d;
  }
  if (expected.history.size() != actual.history.size()) {
    return fmt::format("{} history rows vs {}", expected.history.size(), actual.history.size());
  }
  for (std::size_t i = 0; i < expected.history.size(); ++i) {
    const auto& x = expected.history[i];
    const auto& y = actual.history[i];
    if (x.stage != y.stage || x.epoch != y.epoch || !same(x.train_loss, y.train_loss) ||
        !same(x.train_accuracy, y.train_accuracy) || !same(x.test_loss, y.test_loss) ||
        !same(x.test_accuracy, y.test_accuracy) || !same(x.learning_rate, y.learning_rate) ||
        x.active_weights != y.active_weights) {
      return fmt::format("history row {} (stage {}, epoch {}) differs: train loss {} vs {}", i, x.stage,
                         x.epoch, x.train_loss, y.train_loss);
    }
  }
  return "";
}

}  // namespace structlab::testing
