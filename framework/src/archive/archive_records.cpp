#include "archive/archive_records.hpp"

#include <fmt/format.h>

#include <vector>

#include "archive/archive_layout.hpp"
#include "archive/hdf5_io.hpp"
#include "archive/mask_bits.hpp"
#include "structlab/error.hpp"

namespace structlab::archive::detail {
namespace {

std::vector<hsize_t> dims_of(const torch::Tensor& tensor) {
  std::vector<hsize_t> dims;
  for (std::int64_t size : tensor.sizes()) dims.push_back(static_cast<hsize_t>(size));
  return dims;
}

torch::Tensor read_tensor(hid_t group, const std::string& name, torch::ScalarType type, hid_t memory_type) {
  Hdf5Handle dataset = open_dataset(group, name);
  std::vector<std::int64_t> sizes;
  for (hsize_t d : dataset_dims(dataset.get())) sizes.push_back(static_cast<std::int64_t>(d));
  torch::Tensor tensor = torch::empty(sizes, torch::TensorOptions().dtype(type));
  read_whole_dataset(dataset.get(), memory_type, tensor.data_ptr());
  return tensor;
}

}  // namespace

void write_graph(hid_t group, const graph::LayeredGraph& structure,
                 const std::map<std::string, double>& metrics) {
  std::vector<std::int64_t> edges = structure.edge_array();
  std::vector<hsize_t> edge_dims{static_cast<hsize_t>(edges.size() / 2), 2};
  write_dataset(group, kEdgesDataset, H5T_STD_I64LE, H5T_NATIVE_INT64, edge_dims, edges.data(),
                kCompactStorage);
  const std::vector<std::int32_t>& layers = structure.layer_per_vertex();
  write_dataset(group, kLayerPerVertexDataset, H5T_STD_I32LE, H5T_NATIVE_INT32, {layers.size()},
                layers.data(), kCompactStorage);
  write_int64_attribute(group, kNumVerticesAttribute, structure.num_vertices());
  for (const auto& [name, value] : metrics) write_double_attribute(group, name, value);
}

graph::LayeredGraph read_graph(hid_t group) {
  std::int64_t num_vertices = read_int64_attribute(group, kNumVerticesAttribute);
  Hdf5Handle dataset = open_dataset(group, kEdgesDataset);
  std::vector<hsize_t> dims = dataset_dims(dataset.get());
  if (dims.size() != 2 || dims[1] != 2) {
    throw ArchiveError(fmt::format("dataset {} is not an E x 2 edge array", object_path(dataset.get())));
  }
  std::vector<std::int64_t> flat(dims[0] * 2);
  read_whole_dataset(dataset.get(), H5T_NATIVE_INT64, flat.data());
  std::vector<graph::Edge> edges(dims[0]);
  for (std::size_t i = 0; i < edges.size(); ++i) edges[i] = {flat[2 * i], flat[2 * i + 1]};
  try {
    return graph::LayeredGraph(num_vertices, edges);
  } catch (const Error& e) {
    throw ArchiveError(fmt::format("group {} holds an invalid graph: {}", object_path(group), e.what()));
  }
}

void validate_layer(const LayerRecord& layer) {
  std::string label = fmt::format("layer '{}'", layer.name);
  if (layer.name.empty() || layer.name == "." || layer.name.find('/') != std::string::npos) {
    throw ArchiveError(label +
                       ": a layer name must be non-empty, not '.', and without '/' (it names a group)");
  }
  if (!layer.weight.defined() || layer.weight.dim() == 0 || !layer.weight.is_floating_point()) {
    throw ArchiveError(label + ": weight must be a defined floating-point tensor of rank 1 or more");
  }
  if (!layer.mask.defined() || layer.mask.sizes() != layer.weight.sizes()) {
    throw ArchiveError(fmt::format("{}: mask must have the weight's shape [{}]", label,
                                   fmt::join(layer.weight.sizes(), ", ")));
  }
  if (layer.bias.defined() && (layer.bias.dim() == 0 || !layer.bias.is_floating_point())) {
    throw ArchiveError(label + ": bias must be a floating-point tensor of rank 1 or more when defined");
  }
}

void write_layer(hid_t layers_group, const LayerRecord& layer) {
  Hdf5Handle group = create_group(layers_group, layer.name, false);
  torch::Tensor weight = layer.weight.detach().to(torch::kCPU, torch::kFloat32).contiguous();
  write_dataset(group.get(), kWeightDataset, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, dims_of(weight),
                weight.data_ptr(), kWeightStorage);
  if (layer.bias.defined()) {
    torch::Tensor bias = layer.bias.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    write_dataset(group.get(), kBiasDataset, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, dims_of(bias), bias.data_ptr(),
                  kWeightStorage);
  }
  torch::Tensor packed = pack_mask_bits(layer.mask);
  write_dataset(group.get(), kMaskDataset, H5T_STD_U8LE, H5T_NATIVE_UINT8, dims_of(packed), packed.data_ptr(),
                kMaskStorage);
  {
    Hdf5Handle mask = open_dataset(group.get(), kMaskDataset);
    write_int64_array_attribute(mask.get(), kMaskShapeAttribute, layer.mask.sizes().vec());
  }
  if (!layer.weight_name.empty()) write_string_attribute(group.get(), kWeightNameAttribute, layer.weight_name);
  if (!layer.bias_name.empty()) write_string_attribute(group.get(), kBiasNameAttribute, layer.bias_name);
  if (!layer.mask_name.empty()) write_string_attribute(group.get(), kMaskNameAttribute, layer.mask_name);
  write_int64_attribute(group.get(), "source_layer", layer.source_layer);
  write_int64_attribute(group.get(), "target_layer", layer.target_layer);
  // padding bits are zero, so counting set bits counts active weights
  std::int64_t active = 0;
  const std::uint8_t* bytes = packed.data_ptr<std::uint8_t>();
  for (std::int64_t i = 0; i < packed.numel(); ++i) active += __builtin_popcount(bytes[i]);
  write_int64_attribute(group.get(), "active", active);
  write_int64_attribute(group.get(), "total", layer.mask.numel());
  group.close("writing layer " + layer.name);
}

LayerRecord read_layer(hid_t layers_group, const std::string& name, bool with_weights) {
  Hdf5Handle group = open_group(layers_group, name);
  LayerRecord layer;
  layer.name = name;
  layer.source_layer = read_int64_attribute(group.get(), "source_layer");
  layer.target_layer = read_int64_attribute(group.get(), "target_layer");
  // archives written before complete stages have no names: those fields stay empty
  if (has_attribute(group.get(), kWeightNameAttribute))
    layer.weight_name = read_string_attribute(group.get(), kWeightNameAttribute);
  if (has_attribute(group.get(), kBiasNameAttribute))
    layer.bias_name = read_string_attribute(group.get(), kBiasNameAttribute);
  if (has_attribute(group.get(), kMaskNameAttribute))
    layer.mask_name = read_string_attribute(group.get(), kMaskNameAttribute);
  {
    Hdf5Handle mask = open_dataset(group.get(), kMaskDataset);
    std::vector<std::int64_t> shape = read_int64_array_attribute(mask.get(), kMaskShapeAttribute);
    try {
      layer.mask =
          unpack_mask_bits(read_tensor(group.get(), kMaskDataset, torch::kUInt8, H5T_NATIVE_UINT8), shape);
    } catch (const ArchiveError& e) {
      throw ArchiveError(fmt::format("dataset {}: {}", object_path(mask.get()), e.what()));
    }
  }
  if (with_weights) {
    layer.weight = read_tensor(group.get(), kWeightDataset, torch::kFloat32, H5T_NATIVE_FLOAT);
    if (has_link(group.get(), kBiasDataset)) {
      layer.bias = read_tensor(group.get(), kBiasDataset, torch::kFloat32, H5T_NATIVE_FLOAT);
    }
  }
  return layer;
}

namespace {

// How one tensor dtype is stored: the HDF5 file and memory types, and the torch dtype it is read back as.
struct StoredType {
  hid_t file_type;
  hid_t memory_type;
  torch::ScalarType read_as;
};

StoredType stored_type_of(torch::ScalarType type, const std::string& name) {
  switch (type) {
    case torch::kFloat32:
      return {H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, torch::kFloat32};
    case torch::kFloat64:
      return {H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, torch::kFloat64};
    case torch::kInt64:
      return {H5T_STD_I64LE, H5T_NATIVE_INT64, torch::kInt64};
    case torch::kInt32:
      return {H5T_STD_I32LE, H5T_NATIVE_INT32, torch::kInt32};
    case torch::kUInt8:
      return {H5T_STD_U8LE, H5T_NATIVE_UINT8, torch::kUInt8};
    case torch::kBool:
      return {H5T_STD_U8LE, H5T_NATIVE_UINT8, torch::kBool};
    default:
      throw ArchiveError(fmt::format("'{}': tensors of type {} cannot be archived", name, c10::toString(type)));
  }
}

torch::ScalarType dtype_from_name(const std::string& dtype, const std::string& path) {
  for (torch::ScalarType type : {torch::kFloat32, torch::kFloat64, torch::kInt64, torch::kInt32, torch::kUInt8,
                                 torch::kBool}) {
    if (dtype == c10::toString(type)) return type;
  }
  throw ArchiveError(fmt::format("dataset {}: unknown dtype '{}'", path, dtype));
}

}  // namespace

void validate_named_tensors(const std::map<std::string, torch::Tensor>& tensors) {
  for (const auto& [name, tensor] : tensors) {
    if (name.empty() || name == "." || name.find('/') != std::string::npos) {
      throw ArchiveError(fmt::format("parameter '{}': a name must be non-empty, not '.', and without '/'", name));
    }
    if (!tensor.defined()) throw ArchiveError(fmt::format("parameter '{}' is undefined", name));
    stored_type_of(tensor.scalar_type(), name);
  }
}

void write_named_tensors(hid_t group, const std::map<std::string, torch::Tensor>& tensors) {
  for (const auto& [name, tensor] : tensors) {
    const StoredType stored = stored_type_of(tensor.scalar_type(), name);
    torch::Tensor data = tensor.detach().to(torch::kCPU).contiguous();
    if (data.scalar_type() == torch::kBool) data = data.to(torch::kUInt8);
    const bool scalar = data.dim() == 0;
    if (scalar) data = data.reshape({1});
    write_dataset(group, name, stored.file_type, stored.memory_type, dims_of(data), data.data_ptr(),
                  kWeightStorage);
    Hdf5Handle dataset = open_dataset(group, name);
    write_string_attribute(dataset.get(), kDtypeAttribute, c10::toString(tensor.scalar_type()));
    if (scalar) write_int64_attribute(dataset.get(), kScalarAttribute, 1);
  }
}

std::map<std::string, torch::Tensor> read_named_tensors(hid_t group) {
  std::map<std::string, torch::Tensor> tensors;
  for (const std::string& name : child_names(group)) {
    Hdf5Handle dataset = open_dataset(group, name);
    const std::string path = object_path(dataset.get());
    const torch::ScalarType type = dtype_from_name(read_string_attribute(dataset.get(), kDtypeAttribute), path);
    const StoredType stored = stored_type_of(type, name);
    const torch::ScalarType raw = type == torch::kBool ? torch::kUInt8 : type;
    torch::Tensor tensor = read_tensor(group, name, raw, stored.memory_type);
    if (type == torch::kBool) tensor = tensor.to(torch::kBool);
    if (has_attribute(dataset.get(), kScalarAttribute)) tensor = tensor.reshape({});
    tensors[name] = tensor;
  }
  return tensors;
}

}  // namespace structlab::archive::detail
