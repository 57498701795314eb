// magnitude_layerwise: the smallest |w| of each layer go first, the selection rule applied to every
// prunable layer on its own ("class-uniform" in See et al. 2016): each layer keeps the same share.

#include "common/magnitude.hpp"
#include "structlab/plugin/register.hpp"

namespace {

class MagnitudeLayerwise : public structlab::plugins::MagnitudeStrategy {
 public:
  static structlab::plugin::PluginInfo info() {
    return {
        "prunes the smallest |w| of each prunable layer, the selection rule applied per layer", "1.0.0", {}};
  }

  explicit MagnitudeLayerwise(const structlab::Params& /*params*/)
      : MagnitudeStrategy(structlab::plugin::SelectionScope::per_layer) {}
};

}  // namespace

STRUCTLAB_REGISTER_PRUNER(MagnitudeLayerwise, magnitude_layerwise)
