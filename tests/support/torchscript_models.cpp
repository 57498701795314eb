#include "support/torchscript_models.hpp"

#include "support/run_process.hpp"

namespace structlab::testing {
namespace {

// Debian's interpreter, the one python3-torch is built for (a python3 earlier on PATH may lack torch).
const char* kPython = "/usr/bin/python3";

TorchScriptModels save_models() {
  TorchScriptModels models;
  models.dir = make_temp_dir("torchscript-models");
  const auto saved =
      run_process(std::string(kPython) +
                  " " STRUCTLAB_TEST_SOURCE_DIR "/tests/fixtures/save_torchscript_models.py " + models.dir);
  if (saved.exit_code != 0) {
    models.error = std::string("saving the TorchScript test models with ") + kPython +
                   " failed (exit status " + std::to_string(saved.exit_code) +
                   "); python3-torch is needed (bash tools/setup.sh installs it): " + saved.err;
  }
  return models;
}

}  // namespace

const TorchScriptModels& torchscript_models() {
  static const TorchScriptModels models = save_models();
  return models;
}

std::vector<std::string> torchscript_model_names(const TorchScriptModels& models) {
  return nlohmann::json::parse(read_text(models.dir + "/models.json")).get<std::vector<std::string>>();
}

nlohmann::json torchscript_expectation(const TorchScriptModels& models, const std::string& name) {
  return nlohmann::json::parse(read_text(models.dir + "/" + name + ".json"));
}

}  // namespace structlab::testing
