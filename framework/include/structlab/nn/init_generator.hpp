#pragma once
/// \file
/// Which random generator initialises the weights of layers built on the current thread.
///
/// torch::nn layers draw their initial weights from torch's process-wide generator, so models built in
/// several threads at once (`structlab run --jobs N`) would get each other's numbers. structlab's layers
/// (MaskedLinear, MaskedDeepFFN, MaskedDeepDAN) draw from the generator installed by an InitGeneratorGuard
/// instead; the runner installs the run's own generator around ModelKind::build().

#include <ATen/core/Generator.h>
#include <c10/util/Optional.h>

namespace structlab::nn {

/// Installs \p generator as this thread's initialisation generator until the guard is destroyed (guards
/// nest; the previous one comes back).
class InitGeneratorGuard {
 public:
  /// Makes \p generator the initialisation generator of this thread.
  explicit InitGeneratorGuard(at::Generator generator);
  /// Restores the generator that was in effect before.
  ~InitGeneratorGuard();
  InitGeneratorGuard(const InitGeneratorGuard&) = delete;
  InitGeneratorGuard& operator=(const InitGeneratorGuard&) = delete;

 private:
  c10::optional<at::Generator> previous_;
};

/// This thread's initialisation generator, or nullopt outside any guard (then torch's default generator).
c10::optional<at::Generator> init_generator();

}  // namespace structlab::nn
