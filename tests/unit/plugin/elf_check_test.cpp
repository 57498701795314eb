// Shared objects with a corrupt section table in a plugin folder: refused with a message naming the file,
// before Boost.DLL's library_info (which trusts every offset in the file) reads out of bounds and crashes.

#include "plugin/elf_check.hpp"

#include <elf.h>
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <vector>

#include "structlab/error.hpp"
#include "structlab/plugin/registry.hpp"
#include "support/run_process.hpp"

namespace structlab::plugin {
namespace {

namespace fs = std::filesystem;

// A real plugin with a symbol table: the fixture every registry test loads.
fs::path good_plugin() { return fs::path(STRUCTLAB_TEST_FIXTURE_DIR) / "libfixture_good.so"; }

std::vector<char> bytes_of(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A copy of the good plugin, changed by `damage`, alone in a fresh folder.
fs::path damaged_copy(const std::string& tag, const std::function<void(std::vector<char>&)>& damage) {
  std::vector<char> bytes = bytes_of(good_plugin());
  damage(bytes);
  fs::path file = fs::path(testing::make_temp_dir("elf-" + tag)) / "libdamaged.so";
  std::ofstream(file, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return file;
}

Elf64_Ehdr& header_of(std::vector<char>& bytes) { return *reinterpret_cast<Elf64_Ehdr*>(bytes.data()); }

Elf64_Shdr& section(std::vector<char>& bytes, std::size_t index) {
  return reinterpret_cast<Elf64_Shdr*>(bytes.data() + header_of(bytes).e_shoff)[index];
}

std::string scan_error(const fs::path& file) {
  PluginRegistry registry;
  registry.add_path(file.parent_path());
  try {
    registry.scan();
  } catch (const PluginLoadError& e) {
    return e.what();
  }
  return "no PluginLoadError";
}

TEST(ElfCheck, TheGoodPluginIsSoundAndTextIsNotElf) {
  EXPECT_EQ(detail::check_elf(good_plugin()).shape, detail::ElfShape::sound) << detail::check_elf(good_plugin()).defect;
  fs::path text = fs::path(testing::make_temp_dir("elf-text")) / "notes.so";
  std::ofstream(text) << "not a library\n";
  EXPECT_EQ(detail::check_elf(text).shape, detail::ElfShape::not_elf);
}

TEST(ElfCheck, SectionTablePastTheEndIsRefusedNamingTheFile) {
  fs::path file = damaged_copy("shoff", [](std::vector<char>& bytes) { header_of(bytes).e_shoff = 1ull << 40; });
  detail::ElfCheck check = detail::check_elf(file);
  EXPECT_EQ(check.shape, detail::ElfShape::corrupt);
  EXPECT_NE(check.defect.find("the section table (offset 1099511627776"), std::string::npos) << check.defect;
  std::string message = scan_error(file);
  EXPECT_NE(message.find(file.string() + ": a corrupt ELF shared object in a plugin folder"), std::string::npos)
      << message;
  EXPECT_NE(message.find("runs past the end of the file"), std::string::npos) << message;
}

TEST(ElfCheck, SectionNameTableIndexOutOfRangeIsRefused) {
  fs::path file = damaged_copy("shstrndx", [](std::vector<char>& bytes) { header_of(bytes).e_shstrndx = 60000; });
  detail::ElfCheck check = detail::check_elf(file);
  EXPECT_EQ(check.shape, detail::ElfShape::corrupt);
  EXPECT_NE(check.defect.find("section-name table is entry 60000"), std::string::npos) << check.defect;
}

TEST(ElfCheck, StringTablePastTheEndIsRefused) {
  fs::path file = damaged_copy("strtab", [](std::vector<char>& bytes) {
    for (std::size_t i = 0; i < header_of(bytes).e_shnum; ++i) {
      if (section(bytes, i).sh_type == SHT_STRTAB) section(bytes, i).sh_size = 1ull << 50;
    }
  });
  detail::ElfCheck check = detail::check_elf(file);
  EXPECT_EQ(check.shape, detail::ElfShape::corrupt);
  EXPECT_NE(check.defect.find("runs past the end of the file"), std::string::npos) << check.defect;
  EXPECT_NE(scan_error(file).find(file.string()), std::string::npos);
}

TEST(ElfCheck, SymbolNameOutsideTheStringTableIsRefused) {
  fs::path file = damaged_copy("symname", [](std::vector<char>& bytes) {
    for (std::size_t i = 0; i < header_of(bytes).e_shnum; ++i) {
      Elf64_Shdr& table = section(bytes, i);
      if (table.sh_type != SHT_SYMTAB || table.sh_size < 2 * sizeof(Elf64_Sym)) continue;
      reinterpret_cast<Elf64_Sym*>(bytes.data() + table.sh_offset)[1].st_name = 0x7fffffff;
    }
  });
  detail::ElfCheck check = detail::check_elf(file);
  EXPECT_EQ(check.shape, detail::ElfShape::corrupt);
  EXPECT_NE(check.defect.find("names offset 2147483647 of a string table"), std::string::npos) << check.defect;
}

TEST(ElfCheck, ATruncatedLibraryIsRefused) {
  fs::path file = damaged_copy("truncated", [](std::vector<char>& bytes) { bytes.resize(bytes.size() / 2); });
  detail::ElfCheck check = detail::check_elf(file);
  EXPECT_EQ(check.shape, detail::ElfShape::corrupt);
  EXPECT_FALSE(check.defect.empty());
}

}  // namespace
}  // namespace structlab::plugin
