#include "structlab/error.hpp"

namespace structlab {

// Key functions: the vtables and type information of the errors are emitted here only.
Error::~Error() = default;
PluginLoadError::~PluginLoadError() = default;
PluginNotFoundError::~PluginNotFoundError() = default;
AbiMismatchError::~AbiMismatchError() = default;
DuplicatePluginError::~DuplicatePluginError() = default;
PluginError::~PluginError() = default;
ConfigError::~ConfigError() = default;
DataError::~DataError() = default;
GraphError::~GraphError() = default;
ModelError::~ModelError() = default;
TrainingError::~TrainingError() = default;
ArchiveError::~ArchiveError() = default;
RunInterrupted::~RunInterrupted() = default;

}  // namespace structlab
