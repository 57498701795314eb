// Finding archives and reading each run's metadata for collect and report.

#include "structlab/results/collected_run.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <system_error>

#include "results/spec_flatten.hpp"
#include "structlab/error.hpp"

namespace structlab::results {
namespace fs = std::filesystem;

namespace {

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The suffixes an archive-like file has, longest first, so "x.h5.partial" is not taken for "x.h5".
const std::vector<std::string>& archive_suffixes() {
  static const std::vector<std::string> suffixes{".h5.partial", ".ckpt", ".hdf5", ".h5"};
  return suffixes;
}

bool looks_like_archive(const fs::path& path) {
  std::string name = path.filename().string();
  return std::any_of(archive_suffixes().begin(), archive_suffixes().end(),
                     [&](const std::string& suffix) { return ends_with(name, suffix); });
}

// "ws-1a2b3c.h5.partial" -> "ws-1a2b3c".
std::string run_id_of_file(const fs::path& path) {
  std::string name = path.filename().string();
  for (const std::string& suffix : archive_suffixes()) {
    if (ends_with(name, suffix)) return name.substr(0, name.size() - suffix.size());
  }
  return path.stem().string();
}

std::string attribute_or(const archive::ArchiveMetadata& metadata, const std::string& name,
                         const std::string& fallback) {
  auto found = metadata.attributes.find(name);
  return found == metadata.attributes.end() ? fallback : found->second;
}

// A partial file or checkpoint has not finished whatever its root attribute says ("running" while written).
std::string status_of(const archive::ArchiveMetadata& metadata) {
  std::string status = attribute_or(metadata, "status", "");
  switch (metadata.kind) {
    case archive::ArchiveFileKind::partial:
      return status == "failed" ? status : "partial";
    case archive::ArchiveFileKind::checkpoint:
      return status == "failed" ? status : "interrupted";
    case archive::ArchiveFileKind::archive:
      break;
  }
  return status.empty() ? "unknown" : status;
}

// "quickstart-0123456789" -> "quickstart": the run id is the experiment, a dash and the hash.
std::string experiment_of_run_id(const std::string& run_id) {
  std::size_t dash = run_id.rfind('-');
  return dash == std::string::npos ? run_id : run_id.substr(0, dash);
}

}  // namespace

std::vector<fs::path> find_archive_files(const std::vector<fs::path>& paths) {
  std::vector<fs::path> found;
  for (const fs::path& path : paths) {
    std::error_code error;
    if (fs::is_directory(path, error)) {
      std::vector<fs::path> inside;
      for (fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, error),
           end;
           !error && it != end; it.increment(error)) {
        if (it->is_regular_file(error) && looks_like_archive(it->path())) inside.push_back(it->path());
      }
      if (error)
        throw ConfigError(fmt::format("{}: cannot list the folder: {}", path.string(), error.message()));
      std::sort(inside.begin(), inside.end());
      found.insert(found.end(), inside.begin(), inside.end());
    } else if (fs::exists(path, error)) {
      found.push_back(path);
    } else {
      throw ConfigError(fmt::format("{}: no such file or folder", path.string()));
    }
  }
  // a finished archive supersedes the partial file or checkpoint of the same run beside it
  std::set<fs::path> finished;
  for (const fs::path& path : found) {
    if (archive::archive_file_kind(path) == archive::ArchiveFileKind::archive) {
      finished.insert(path.parent_path() / run_id_of_file(path));
    }
  }
  std::vector<fs::path> kept;
  std::set<fs::path> seen;
  for (const fs::path& path : found) {
    bool unfinished = archive::archive_file_kind(path) != archive::ArchiveFileKind::archive;
    if (unfinished && finished.count(path.parent_path() / run_id_of_file(path)) != 0) continue;
    if (seen.insert(fs::weakly_canonical(path)).second) kept.push_back(path);
  }
  return kept;
}

CollectedRun read_collected_run(const fs::path& path, const archive::MetadataParts& parts) {
  CollectedRun run;
  try {
    run.metadata = archive::read_archive_metadata(path, parts);
  } catch (const ArchiveError& e) {
    archive::ArchiveFileKind kind = archive::archive_file_kind(path);
    if (kind == archive::ArchiveFileKind::archive) throw;
    // an unfinished run is reported with its status even when its file cannot be read (yet)
    run.metadata.path = path;
    run.metadata.kind = kind;
    run.run_id = run_id_of_file(path);
    run.experiment = experiment_of_run_id(run.run_id);
    run.status = kind == archive::ArchiveFileKind::partial ? "partial" : "interrupted";
    run.message = e.what();
    return run;
  }
  const archive::ArchiveMetadata& metadata = run.metadata;
  run.run_id = attribute_or(metadata, "run_id", run_id_of_file(path));
  run.status = status_of(metadata);
  run.message = attribute_or(metadata, "message", "");
  run.spec_hash = attribute_or(metadata, "spec_hash", "");
  std::string seed = attribute_or(metadata, "seed", "");
  if (!seed.empty()) {
    try {
      run.seed = std::stoull(seed);
    } catch (const std::exception&) {
      throw ArchiveError(
          fmt::format("archive {}: root attribute seed '{}' is not a number", path.string(), seed));
    }
  }
  run.experiment = experiment_of_run_id(run.run_id);
  if (!metadata.spec_yaml.empty()) {
    try {
      for (auto& [key, value] : detail::flatten_spec(metadata.spec_yaml)) {
        if (key == "experiment") {
          run.experiment = value;
        } else if (key != "seeds") {
          run.spec.emplace_back(std::move(key), std::move(value));
        }
      }
    } catch (const Error& e) {
      throw ArchiveError(fmt::format("archive {}: {}", path.string(), e.what()));
    }
  }
  return run;
}

void infer_grid_points(std::vector<CollectedRun>& runs) {
  std::map<std::string, std::vector<CollectedRun*>> by_experiment;
  for (CollectedRun& run : runs) by_experiment[run.experiment].push_back(&run);
  for (auto& [experiment, members] : by_experiment) {
    // key -> the distinct values it takes in the runs that have it
    std::map<std::string, std::set<std::string>> values;
    std::vector<std::string> order;
    for (const CollectedRun* run : members) {
      for (const auto& [key, value] : run->spec) {
        if (values.count(key) == 0) order.push_back(key);
        values[key].insert(value);
      }
    }
    for (CollectedRun* run : members) {
      run->grid_point.clear();
      std::map<std::string, std::string> own(run->spec.begin(), run->spec.end());
      for (const std::string& key : order) {
        if (values[key].size() < 2) continue;
        auto found = own.find(key);
        if (found != own.end()) run->grid_point.emplace_back(key, found->second);
      }
    }
  }
}

Collection collect_runs(const std::vector<fs::path>& paths, const archive::MetadataParts& parts) {
  Collection collection;
  for (const fs::path& path : find_archive_files(paths)) {
    try {
      collection.runs.push_back(read_collected_run(path, parts));
    } catch (const ArchiveError& e) {
      collection.warnings.push_back(e.what());
    }
  }
  infer_grid_points(collection.runs);
  return collection;
}

std::string grid_point_text(const CollectedRun& run) {
  std::string text;
  for (const auto& [key, value] : run.grid_point) {
    if (!text.empty()) text += ' ';
    text += key + "=" + value;
  }
  return text;
}

const archive::StageMetadata& result_stage(const archive::ArchiveMetadata& metadata) {
  for (auto stage = metadata.stages.rbegin(); stage != metadata.stages.rend(); ++stage) {
    if (stage->series.empty() || stage->series == "ticket") return *stage;
  }
  return metadata.stages.back();
}

}  // namespace structlab::results
