// Attributes: the run's identity, every metric, and the per-layer facts of the archive.

#include <fmt/format.h>

#include "archive/hdf5_io.hpp"
#include "structlab/error.hpp"

namespace structlab::archive::detail {
namespace {

std::string attribute_label(hid_t object, const std::string& name) {
  return fmt::format("attribute '{}' of {}", name, object_path(object));
}

Hdf5Handle utf8_string_type() {
  Hdf5Handle type = checked(H5Tcopy(H5T_C_S1), H5Tclose, "string type");
  check(H5Tset_size(type.get(), H5T_VARIABLE), "string type");
  check(H5Tset_cset(type.get(), H5T_CSET_UTF8), "string type");
  return type;
}

void write_scalar_attribute(hid_t object, const std::string& name, hid_t file_type, hid_t memory_type,
                            const void* value) {
  std::string label = attribute_label(object, name);
  // replace rather than update: the old value may have had another type
  if (has_attribute(object, name)) check(H5Adelete(object, name.c_str()), "replacing " + label);
  Hdf5Handle space = checked(H5Screate(H5S_SCALAR), H5Sclose, label);
  Hdf5Handle attribute =
      checked(H5Acreate2(object, name.c_str(), file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
              "creating " + label);
  check(H5Awrite(attribute.get(), memory_type, value), "writing " + label);
  attribute.close("writing " + label);
}

Hdf5Handle open_attribute(hid_t object, const std::string& name) {
  if (!has_attribute(object, name)) {
    throw ArchiveError(fmt::format("{} has no attribute '{}'", object_path(object), name));
  }
  return checked(H5Aopen(object, name.c_str(), H5P_DEFAULT), H5Aclose,
                 "opening " + attribute_label(object, name));
}

template <class Visit>
void for_each_attribute(hid_t object, Visit&& visit) {
  H5O_info_t info;
  check(H5Oget_info2(object, &info, H5O_INFO_NUM_ATTRS), "listing the attributes of " + object_path(object));
  for (hsize_t i = 0; i < info.num_attrs; ++i) {
    Hdf5Handle attribute =
        checked(H5Aopen_by_idx(object, ".", H5_INDEX_NAME, H5_ITER_INC, i, H5P_DEFAULT, H5P_DEFAULT),
                H5Aclose, "opening an attribute of " + object_path(object));
    ssize_t length = H5Aget_name(attribute.get(), 0, nullptr);
    if (length < 0) throw_hdf5_failure("naming an attribute of " + object_path(object));
    std::string name(static_cast<std::size_t>(length) + 1, '\0');
    H5Aget_name(attribute.get(), name.size(), name.data());
    name.resize(static_cast<std::size_t>(length));
    visit(name, attribute.get());
  }
}

std::string read_string_from(hid_t attribute, const std::string& label) {
  Hdf5Handle type = checked(H5Aget_type(attribute), H5Tclose, label);
  if (H5Tget_class(type.get()) != H5T_STRING) throw ArchiveError(label + " is not a string");
  Hdf5Handle space = checked(H5Aget_space(attribute), H5Sclose, label);
  if (H5Sget_simple_extent_npoints(space.get()) != 1) throw ArchiveError(label + " is not a single string");
  htri_t variable = H5Tis_variable_str(type.get());
  if (variable < 0) throw_hdf5_failure(label);
  if (variable > 0) {
    // read with the file's own character set: HDF5 does not convert between ASCII and UTF-8 strings
    Hdf5Handle memory_type = checked(H5Tcopy(type.get()), H5Tclose, label);
    char* text = nullptr;
    check(H5Aread(attribute, memory_type.get(), &text), "reading " + label);
    std::string value = text != nullptr ? text : "";
    H5free_memory(text);
    return value;
  }
  // fixed-length strings, as other tools may write them
  std::size_t size = H5Tget_size(type.get());
  Hdf5Handle memory_type = checked(H5Tcopy(H5T_C_S1), H5Tclose, label);
  check(H5Tset_size(memory_type.get(), size + 1), label);
  std::string buffer(size + 1, '\0');
  check(H5Aread(attribute, memory_type.get(), buffer.data()), "reading " + label);
  return std::string(buffer.c_str());
}

}  // namespace

void write_string_attribute(hid_t object, const std::string& name, const std::string& value) {
  Hdf5Handle type = utf8_string_type();
  const char* text = value.c_str();
  write_scalar_attribute(object, name, type.get(), type.get(), &text);
}

void write_int64_attribute(hid_t object, const std::string& name, std::int64_t value) {
  write_scalar_attribute(object, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &value);
}

void write_uint64_attribute(hid_t object, const std::string& name, std::uint64_t value) {
  write_scalar_attribute(object, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, &value);
}

void write_double_attribute(hid_t object, const std::string& name, double value) {
  write_scalar_attribute(object, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value);
}

void write_int64_array_attribute(hid_t object, const std::string& name,
                                 const std::vector<std::int64_t>& values) {
  std::string label = attribute_label(object, name);
  if (has_attribute(object, name)) check(H5Adelete(object, name.c_str()), "replacing " + label);
  hsize_t length = values.size();
  Hdf5Handle space = checked(H5Screate_simple(1, &length, nullptr), H5Sclose, label);
  Hdf5Handle attribute =
      checked(H5Acreate2(object, name.c_str(), H5T_STD_I64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT),
              H5Aclose, "creating " + label);
  if (!values.empty()) check(H5Awrite(attribute.get(), H5T_NATIVE_INT64, values.data()), "writing " + label);
  attribute.close("writing " + label);
}

bool has_attribute(hid_t object, const std::string& name) {
  htri_t exists = H5Aexists(object, name.c_str());
  if (exists < 0) throw_hdf5_failure("looking up " + attribute_label(object, name));
  return exists > 0;
}

std::string read_string_attribute(hid_t object, const std::string& name) {
  Hdf5Handle attribute = open_attribute(object, name);
  return read_string_from(attribute.get(), attribute_label(object, name));
}

std::int64_t read_int64_attribute(hid_t object, const std::string& name) {
  std::string label = attribute_label(object, name);
  Hdf5Handle attribute = open_attribute(object, name);
  Hdf5Handle type = checked(H5Aget_type(attribute.get()), H5Tclose, label);
  if (H5Tget_class(type.get()) != H5T_INTEGER) throw ArchiveError(label + " is not an integer");
  Hdf5Handle space = checked(H5Aget_space(attribute.get()), H5Sclose, label);
  if (H5Sget_simple_extent_npoints(space.get()) != 1) throw ArchiveError(label + " is not a single integer");
  std::int64_t value = 0;
  check(H5Aread(attribute.get(), H5T_NATIVE_INT64, &value), "reading " + label);
  return value;
}

std::vector<std::int64_t> read_int64_array_attribute(hid_t object, const std::string& name) {
  std::string label = attribute_label(object, name);
  Hdf5Handle attribute = open_attribute(object, name);
  Hdf5Handle type = checked(H5Aget_type(attribute.get()), H5Tclose, label);
  if (H5Tget_class(type.get()) != H5T_INTEGER) throw ArchiveError(label + " is not an integer array");
  Hdf5Handle space = checked(H5Aget_space(attribute.get()), H5Sclose, label);
  hssize_t count = H5Sget_simple_extent_npoints(space.get());
  if (count < 0) throw_hdf5_failure(label);
  std::vector<std::int64_t> values(static_cast<std::size_t>(count));
  if (!values.empty()) check(H5Aread(attribute.get(), H5T_NATIVE_INT64, values.data()), "reading " + label);
  return values;
}

std::map<std::string, std::string> read_attributes_as_text(hid_t object) {
  std::map<std::string, std::string> texts;
  for_each_attribute(object, [&](const std::string& name, hid_t attribute) {
    std::string label = attribute_label(object, name);
    Hdf5Handle type = checked(H5Aget_type(attribute), H5Tclose, label);
    Hdf5Handle space = checked(H5Aget_space(attribute), H5Sclose, label);
    bool single = H5Sget_simple_extent_npoints(space.get()) == 1;
    H5T_class_t type_class = H5Tget_class(type.get());
    if (type_class == H5T_STRING) {
      texts[name] = read_string_from(attribute, label);
    } else if (type_class == H5T_INTEGER && single && H5Tget_sign(type.get()) == H5T_SGN_NONE) {
      std::uint64_t value = 0;
      check(H5Aread(attribute, H5T_NATIVE_UINT64, &value), "reading " + label);
      texts[name] = std::to_string(value);
    } else if (type_class == H5T_INTEGER && single) {
      std::int64_t value = 0;
      check(H5Aread(attribute, H5T_NATIVE_INT64, &value), "reading " + label);
      texts[name] = std::to_string(value);
    } else if (type_class == H5T_FLOAT && single) {
      double value = 0;
      check(H5Aread(attribute, H5T_NATIVE_DOUBLE, &value), "reading " + label);
      texts[name] = fmt::format("{}", value);
    }
    // attributes of other kinds (arrays, compounds) are not part of the layout and are left out
  });
  return texts;
}

std::map<std::string, double> read_float_attributes(hid_t object) {
  std::map<std::string, double> values;
  for_each_attribute(object, [&](const std::string& name, hid_t attribute) {
    std::string label = attribute_label(object, name);
    Hdf5Handle type = checked(H5Aget_type(attribute), H5Tclose, label);
    Hdf5Handle space = checked(H5Aget_space(attribute), H5Sclose, label);
    if (H5Tget_class(type.get()) != H5T_FLOAT || H5Sget_simple_extent_npoints(space.get()) != 1) return;
    double value = 0;
    check(H5Aread(attribute, H5T_NATIVE_DOUBLE, &value), "reading " + label);
    values[name] = value;
  });
  return values;
}

}  // namespace structlab::archive::detail
