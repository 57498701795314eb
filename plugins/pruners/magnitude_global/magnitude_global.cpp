// magnitude_global: the smallest |w| across all prunable layers go first, one threshold for the whole
// network ("class-blinded" in See et al. 2016; OpenLTH's sparse_global).

#include "common/magnitude.hpp"
#include "structlab/plugin/register.hpp"

namespace {

class MagnitudeGlobal : public structlab::plugins::MagnitudeStrategy {
 public:
  static structlab::plugin::PluginInfo info() {
    return {"prunes the smallest |w| of all prunable layers together (one global threshold)", "1.0.0", {}};
  }

  explicit MagnitudeGlobal(const structlab::Params& /*params*/)
      : MagnitudeStrategy(structlab::plugin::SelectionScope::global) {}
};

}  // namespace

STRUCTLAB_REGISTER_PRUNER(MagnitudeGlobal, magnitude_global)
