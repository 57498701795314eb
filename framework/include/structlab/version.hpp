#pragma once
/// \file
/// Version numbers of structlab and of the plugin API.

/// Version of structlab itself.
#define STRUCTLAB_VERSION "0.1.0"

/// Version of the plugin API; a plugin built against another one is refused before it runs.
/// Bump it whenever a plugin interface, Params, LayeredGraph or MaskedModel changes incompatibly.
/// 4: PruningContext::input_shape() and PruningStrategy::rounds_at_init() (pruning at initialisation).
/// 5: a MaskedLayerRef's weight may be a view into a packed parameter (the DAN's blocks); MaskedDeepDAN's
///    members changed.
/// 6: a MaskedLayerRef's weight may have more than two dimensions ([out, in, k...]: Conv2d kernels), and
/// weight
///    scores are shaped like it.
#define STRUCTLAB_PLUGIN_API_VERSION 6

namespace structlab {

/// structlab's version, e.g. "0.1.0".
const char* version();

/// The plugin API version this structlab was built with.
int plugin_api_version();

/// The LibTorch version this structlab was built with, e.g. "1.13.0".
const char* torch_version();

}  // namespace structlab
