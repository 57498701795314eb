#pragma once
// A bounds check of an ELF file's section table, done before Boost.DLL's library_info reads it (private to
// the plugin code). library_info trusts every offset and size in the file: a shared object whose section
// table is corrupt makes it read out of bounds and crash the program that merely scans a plugin folder.

#include <filesystem>
#include <optional>
#include <string>

namespace structlab::plugin::detail {

/// What a file in a plugin folder is, as far as reading its sections goes.
enum class ElfShape {
  not_elf,  ///< no ELF signature: not a plugin, skipped as before
  sound,    ///< every offset, size and name library_info will use lies inside the file
  corrupt,  ///< an ELF file library_info cannot read safely; see the defect
};

/// The result of check_elf: the shape, and for a corrupt file what is wrong, e.g. "the section table
/// (offset 1234, 30 entries of 64 bytes) runs past the end of the file (4096 bytes)".
struct ElfCheck {
  ElfShape shape = ElfShape::not_elf;  ///< what the file is
  std::string defect;                  ///< for corrupt: what is wrong; empty otherwise
};

/// Reads the ELF header, the section table, the section-name table, the symbol tables and the string table
/// library_info uses, checking each against the file's size and each name index against its table. Reads only
/// those parts of the file. Never throws: a file that cannot be read is reported as not_elf.
ElfCheck check_elf(const std::filesystem::path& file);

}  // namespace structlab::plugin::detail
