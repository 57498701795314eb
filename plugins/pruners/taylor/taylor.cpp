// taylor: first-order Taylor saliency |w_i * dL/dw_i| (Molchanov et al. 2017), the loss change predicted
// by removing w_i to first order, averaged over the first `batches` training batches.

#include "structlab/plugin/pruner.hpp"
#include "structlab/plugin/register.hpp"
#include "structlab/prune/gradients.hpp"

namespace {

class TaylorPruner : public structlab::plugin::PruningStrategy {
 public:
  static structlab::plugin::PluginInfo info() {
    return {"prunes the smallest first-order Taylor saliency |w * dL/dw|, averaged over batches",
            "1.0.0",
            {structlab::optional_param("batches", std::int64_t{10}, "training batches averaged")}};
  }

  explicit TaylorPruner(const structlab::Params& params) : batches_(params.get_int("batches")) {
    if (batches_ < 1) params.fail("batches", "must be at least 1");
  }

  structlab::plugin::PruningGranularity granularity() const override {
    return structlab::plugin::PruningGranularity::weight;
  }
  structlab::plugin::SelectionScope scope() const override {
    return structlab::plugin::SelectionScope::global;
  }

  /// The mean over batches of |w * g_b|: averaging absolute values keeps batches whose gradients point in
  /// opposite directions from cancelling out a weight that matters to each of them.
  std::vector<torch::Tensor> score(structlab::nn::MaskedModel& model,
                                   structlab::plugin::PruningContext& context) const override {
    return structlab::prune::mean_over_batches(
        model, context, batches_, /*create_graph=*/false,
        [](const structlab::nn::MaskedLayerRef& ref, const torch::Tensor& gradient) {
          return (ref.weight.detach() * gradient).abs();
        });
  }

 private:
  std::int64_t batches_;
};

}  // namespace

STRUCTLAB_REGISTER_PRUNER(TaylorPruner, taylor)
