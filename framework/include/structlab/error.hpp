#pragma once
/// \file
/// The one exception hierarchy of structlab: every failure a user can cause is a subclass of Error.

#include <stdexcept>
#include <string>

#define STRUCTLAB_EXCEPTION_API __attribute__((visibility("default")))

namespace structlab {

/// Base of every structlab exception; the message alone should let the user fix the input.
class STRUCTLAB_EXCEPTION_API Error : public std::runtime_error {
 public:
  /// Builds an error carrying \p message.
  explicit Error(const std::string& message) : std::runtime_error(message) {}
  /// Defined in libstructlab, so the vtable of every error lives there and not in the plugin that threw it:
  /// an exception stays valid after the plugin's library is unloaded.
  ~Error() override;
};

/// A shared library could not be opened or its plugin entry could not be read.
class STRUCTLAB_EXCEPTION_API PluginLoadError : public Error {
 public:
  using Error::Error;
  ~PluginLoadError() override;
};

/// No plugin of the requested kind and name was found on the search path.
class STRUCTLAB_EXCEPTION_API PluginNotFoundError : public PluginLoadError {
 public:
  using PluginLoadError::PluginLoadError;
  ~PluginNotFoundError() override;
};

/// A plugin was built against another plugin API or LibTorch version than this structlab.
class STRUCTLAB_EXCEPTION_API AbiMismatchError : public PluginLoadError {
 public:
  using PluginLoadError::PluginLoadError;
  ~AbiMismatchError() override;
};

/// Two libraries register a plugin with the same kind and name.
class STRUCTLAB_EXCEPTION_API DuplicatePluginError : public PluginLoadError {
 public:
  using PluginLoadError::PluginLoadError;
  ~DuplicatePluginError() override;
};

/// Code inside a plugin (its factory or a call on its object) threw something that is not a structlab::Error.
class STRUCTLAB_EXCEPTION_API PluginError : public Error {
 public:
  using Error::Error;
  ~PluginError() override;
};

/// An experiment spec, a plugin parameter or a command-line value is wrong.
class STRUCTLAB_EXCEPTION_API ConfigError : public Error {
 public:
  using Error::Error;
  ~ConfigError() override;
};

/// A data file (dataset, graph file, archive) is missing, truncated or malformed.
class STRUCTLAB_EXCEPTION_API DataError : public Error {
 public:
  using Error::Error;
  ~DataError() override;
};

/// A graph violates what the operation needs (a cycle in a DAG, an empty graph, a bad vertex id).
class STRUCTLAB_EXCEPTION_API GraphError : public Error {
 public:
  using Error::Error;
  ~GraphError() override;
};

/// A model was given inputs it cannot work with (wrong mask shape, non-positive sizes).
class STRUCTLAB_EXCEPTION_API ModelError : public Error {
 public:
  using Error::Error;
  ~ModelError() override;
};

/// Training diverged (non-finite loss) or otherwise could not go on.
class STRUCTLAB_EXCEPTION_API TrainingError : public Error {
 public:
  using Error::Error;
  ~TrainingError() override;
};

/// Reading or writing an HDF5 run archive failed.
class STRUCTLAB_EXCEPTION_API ArchiveError : public Error {
 public:
  using Error::Error;
  ~ArchiveError() override;
};

/// A run stopped on request (a signal, or a hook asking to stop) after saving a checkpoint it can resume from.
class STRUCTLAB_EXCEPTION_API RunInterrupted : public Error {
 public:
  using Error::Error;
  ~RunInterrupted() override;
};

}  // namespace structlab
