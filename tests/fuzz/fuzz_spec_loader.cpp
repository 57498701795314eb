// libFuzzer target: the spec loader's reading stage on arbitrary text: YAML parsing, the schema walk that maps
// keys to sections and values to typed parameters (read_spec_document), and a --set override from the
// input's "#set" comment line. Plugin checks and run planning need plugins and LibTorch and are left to the test suite.

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "spec/document.hpp"
#include "structlab/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::filesystem::path file =
      std::filesystem::temp_directory_path() / ("structlab-fuzz-spec-" + std::to_string(::getpid()) + ".yaml");
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::ofstream(file, std::ios::binary | std::ios::trunc) << text;
  try {
    structlab::spec::detail::Problems problems;
    structlab::spec::detail::SpecDocument document = structlab::spec::detail::read_spec_document(file, problems);
    // a comment line "#set key.path=value" (the spec stays valid YAML) is applied as a --set override
    const std::size_t at = text.find("#set ");
    if (at != std::string::npos) {
      const std::size_t end = text.find('\n', at);
      structlab::spec::detail::apply_override(document, text.substr(at + 5, end == std::string::npos ? end : end - at - 5),
                                              problems);
    }
  } catch (const structlab::Error&) {
    // a message for the user: the expected outcome for a broken spec
  }
  return 0;
}
