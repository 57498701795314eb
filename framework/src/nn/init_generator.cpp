#include "structlab/nn/init_generator.hpp"

namespace structlab::nn {
namespace {

c10::optional<at::Generator>& current_generator() {
  thread_local c10::optional<at::Generator> generator;
  return generator;
}

}  // namespace

InitGeneratorGuard::InitGeneratorGuard(at::Generator generator) : previous_(current_generator()) {
  current_generator() = std::move(generator);
}

InitGeneratorGuard::~InitGeneratorGuard() { current_generator() = std::move(previous_); }

c10::optional<at::Generator> init_generator() { return current_generator(); }

}  // namespace structlab::nn
