#pragma once
// The TorchScript models tests/fixtures/save_torchscript_models.py saves with Debian's python3-torch, and the
// graphs expected of them, for the graph extraction tests.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace structlab::testing {

/// Where the models were saved, once per test process.
struct TorchScriptModels {
  std::string dir;    ///< the directory holding <name>.pt and <name>.json, models.json and the error cases
  std::string error;  ///< why saving failed (python3-torch missing, the script failed); empty on success
};

/// Runs the script once (later calls return the same result) into a fresh temporary directory.
const TorchScriptModels& torchscript_models();

/// The names models.json lists, e.g. "mlp_script".
std::vector<std::string> torchscript_model_names(const TorchScriptModels& models);

/// The expectations <name>.json holds: input_shape, layers, and per threshold num_vertices and edges.
nlohmann::json torchscript_expectation(const TorchScriptModels& models, const std::string& name);

}  // namespace structlab::testing
