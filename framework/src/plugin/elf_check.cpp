#include "plugin/elf_check.hpp"

#include <elf.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <vector>

namespace structlab::plugin::detail {
namespace {

// Reads `size` bytes at `offset`, false when the file is shorter or the read fails.
bool read_at(std::ifstream& in, std::uint64_t offset, std::uint64_t size, void* out) {
  in.clear();
  in.seekg(static_cast<std::streamoff>(offset));
  in.read(static_cast<char*>(out), static_cast<std::streamsize>(size));
  return static_cast<std::uint64_t>(in.gcount()) == size;
}

// True when [offset, offset + size) lies inside a file of `file_size` bytes (without overflowing).
bool inside(std::uint64_t offset, std::uint64_t size, std::uint64_t file_size) {
  return offset <= file_size && size <= file_size - offset;
}

// A string table is safe to read names from when it is not empty and its last byte ends a name.
bool terminated(const std::vector<char>& table) { return !table.empty() && table.back() == '\0'; }

// The checks for one ELF class; Ehdr, Shdr and Sym are the <elf.h> types library_info mirrors.
template <typename Ehdr, typename Shdr, typename Sym>
std::string defect_of(std::ifstream& in, std::uint64_t file_size) {
  Ehdr header{};
  if (!read_at(in, 0, sizeof(header), &header)) {
    return fmt::format("the file ({} bytes) is shorter than an ELF header ({} bytes)", file_size, sizeof(header));
  }
  if (header.e_shnum == 0) return "it has no section table";
  if (header.e_shentsize != sizeof(Shdr)) {
    return fmt::format("its section entries are {} bytes, expected {}", header.e_shentsize, sizeof(Shdr));
  }
  const std::uint64_t table_size = std::uint64_t{header.e_shnum} * sizeof(Shdr);
  if (!inside(header.e_shoff, table_size, file_size)) {
    return fmt::format("the section table (offset {}, {} entries of {} bytes) runs past the end of the file ({} bytes)",
                       header.e_shoff, header.e_shnum, sizeof(Shdr), file_size);
  }
  if (header.e_shstrndx >= header.e_shnum) {
    return fmt::format("the section-name table is entry {} of a section table of {} entries", header.e_shstrndx,
                       header.e_shnum);
  }
  std::vector<Shdr> sections(header.e_shnum);
  if (!read_at(in, header.e_shoff, table_size, sections.data())) return "the section table cannot be read";

  auto read_table = [&](const Shdr& section, std::size_t index, std::vector<char>& out) -> std::string {
    if (!inside(section.sh_offset, section.sh_size, file_size)) {
      return fmt::format("section {} (offset {}, {} bytes) runs past the end of the file ({} bytes)", index,
                         section.sh_offset, section.sh_size, file_size);
    }
    out.resize(static_cast<std::size_t>(section.sh_size));
    if (!out.empty() && !read_at(in, section.sh_offset, section.sh_size, out.data()))
      return fmt::format("section {} cannot be read", index);
    return "";
  };

  std::vector<char> names;
  if (auto why = read_table(sections[header.e_shstrndx], header.e_shstrndx, names); !why.empty()) return why;
  if (!terminated(names)) return "the section-name table is empty or does not end its last name";
  for (std::size_t i = 0; i < sections.size(); ++i) {
    if (sections[i].sh_name >= names.size()) {
      return fmt::format("section {} names offset {} of a section-name table of {} bytes", i, sections[i].sh_name,
                         names.size());
    }
  }

  // library_info reads every string table in turn into one std::vector, resizing it, and takes names from the
  // last one read, whatever the symbol table links to. A linker puts .shstrtab after .strtab, so names are read
  // past the vector's size but inside its capacity, which the larger .strtab set: the bytes there are .strtab's.
  // So an offset is safe to read when it lies inside the largest string table.
  std::vector<char> text;
  std::size_t largest_text = 0;
  std::vector<std::size_t> symbol_tables;
  for (std::size_t i = 0; i < sections.size(); ++i) {
    if (sections[i].sh_type == SHT_STRTAB) {
      if (auto why = read_table(sections[i], i, text); !why.empty()) return why;
      largest_text = std::max(largest_text, text.size());
    } else if (sections[i].sh_type == SHT_SYMTAB) {
      if (!inside(sections[i].sh_offset, sections[i].sh_size, file_size)) {
        return fmt::format("symbol table {} (offset {}, {} bytes) runs past the end of the file ({} bytes)", i,
                           sections[i].sh_offset, sections[i].sh_size, file_size);
      }
      symbol_tables.push_back(i);
    }
  }
  if (symbol_tables.empty()) return "";
  if (!terminated(text)) return "it has a symbol table but its string table is missing, empty or unterminated";
  for (std::size_t index : symbol_tables) {
    const Shdr& table = sections[index];
    // bounded by the file's size, checked above
    std::vector<Sym> symbols(static_cast<std::size_t>(table.sh_size / sizeof(Sym)));
    if (!symbols.empty() && !read_at(in, table.sh_offset, symbols.size() * sizeof(Sym), symbols.data()))
      return fmt::format("symbol table {} cannot be read", index);
    for (std::size_t k = 0; k < symbols.size(); ++k) {
      const Sym& symbol = symbols[k];
      if (symbol.st_name >= largest_text) {
        return fmt::format("symbol {} of section {} names offset {} of a string table of {} bytes", k, index,
                           symbol.st_name, largest_text);
      }
    }
  }
  return "";
}

}  // namespace

ElfCheck check_elf(const std::filesystem::path& file) {
  std::error_code error;
  const std::uint64_t file_size = std::filesystem::file_size(file, error);
  if (error) return {};
  std::ifstream in(file, std::ios::binary);
  unsigned char ident[EI_NIDENT] = {};
  if (!in || !read_at(in, 0, sizeof(ident), ident) || std::memcmp(ident, ELFMAG, SELFMAG) != 0) return {};
  std::string defect;
  if (ident[EI_CLASS] == ELFCLASS64) {
    defect = defect_of<Elf64_Ehdr, Elf64_Shdr, Elf64_Sym>(in, file_size);
  } else if (ident[EI_CLASS] == ELFCLASS32) {
    defect = defect_of<Elf32_Ehdr, Elf32_Shdr, Elf32_Sym>(in, file_size);
  } else {
    defect = fmt::format("its ELF class byte is {}, neither 32- nor 64-bit", ident[EI_CLASS]);
  }
  if (defect.empty()) return {ElfShape::sound, ""};
  return {ElfShape::corrupt, defect};
}

}  // namespace structlab::plugin::detail
