#include "structlab/version.hpp"

#include <torch/version.h>

namespace structlab {

const char* version() { return STRUCTLAB_VERSION; }

int plugin_api_version() { return STRUCTLAB_PLUGIN_API_VERSION; }

const char* torch_version() { return TORCH_VERSION; }

}  // namespace structlab
