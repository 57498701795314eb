#include "spec/resolve.hpp"

#include <fmt/format.h>

#include "structlab/prune/agp.hpp"

namespace structlab::spec::detail {
namespace {

SourceLocation section_location(const SpecDocument& document, const std::string& path) {
  for (std::string p = path;; p = parent_of(p)) {
    auto it = document.sections.find(p);
    if (it != document.sections.end()) return it->second;
    if (p.empty()) return SourceLocation{document.file, 0, 0};
  }
}

bool section_present(const SpecDocument& document, const SectionSchema& section) {
  if (section.path.empty()) return true;
  bool parent_present = section_present(document, *find_section(parent_of(section.path)));
  if (!parent_present) return false;
  return section.presence == Presence::implicit || document.has_section(section.path);
}

}  // namespace

Params plugin_params_of(const SpecDocument& document, const SectionSchema& section) {
  Params raw("", section.path);
  for (const auto& [path, value] : document.values) {
    if (parent_of(path) != section.path) continue;
    std::string leaf = leaf_of(path);
    if (find_key(section, leaf) == nullptr) raw.set(leaf, value.value, value.where);
  }
  return raw;
}

bool ResolvedSection::complete() const {
  for (const auto& key : schema->keys) {
    if (!fixed.has(key.name)) return false;
  }
  return !schema->plugin_kind || plugin.has_value();
}

Params resolve_fixed_keys(const SpecDocument& document, const SectionSchema& section,
                          const SourceLocation& where, Problems& problems) {
  Params fixed("", section.path);
  for (const auto& spec : section.keys) {
    const std::string path = join_path(section.path, spec.name);
    if (const SpecValue* written = document.find(path)) {
      problems.collect([&] {
        Params one("", section.path);
        one.set(spec.name, written->value, written->where);
        fixed.set(spec.name, one.validated({spec}).value(spec.name), written->where);
      });
    } else if (spec.required()) {
      problems.add(where, path,
                   fmt::format("required key is missing (a {}: {})", to_string(spec.type), spec.doc));
    } else {
      fixed.set(spec.name, *spec.default_value);
    }
  }
  return fixed;
}

ResolvedSections resolve_sections(const SpecDocument& document, PluginChecker& plugins, Problems& problems) {
  ResolvedSections out;
  for (const auto& section : spec_sections()) {
    if (!section_present(document, section)) {
      if (section.presence == Presence::required &&
          section_present(document, *find_section(parent_of(section.path)))) {
        problems.add(
            section_location(document, ""), section.path,
            fmt::format("required section is missing, e.g. {}: {{plugin: NAME, ...}}", section.path));
      }
      continue;
    }
    ResolvedSection resolved;
    resolved.schema = &section;
    resolved.where = section_location(document, section.path);
    resolved.fixed = resolve_fixed_keys(document, section, resolved.where, problems);
    if (section.plugin_kind && resolved.fixed.has("plugin")) {
      SpecValue name{resolved.fixed.value("plugin"), resolved.fixed.location_of("plugin")};
      resolved.plugin_name = name;
      resolved.plugin = plugins.check(*section.plugin_kind, section.path, name, resolved.where,
                                      plugin_params_of(document, section), problems);
    }
    out.emplace(section.path, std::move(resolved));
  }
  // a model kind built on the run's structure (dan) is useless without one: say so before any run starts
  auto model = out.find("model");
  if (model != out.end() && model->second.plugin && model->second.plugin_name &&
      out.count("structure") == 0) {
    const std::string& name = std::get<std::string>(model->second.plugin_name->value);
    if (plugins.model_needs_structure(name, model->second.plugin->params)) {
      problems.add(
          model->second.plugin_name->where, "model.plugin",
          fmt::format("model plugin '{}' builds on the run's structure, but the spec has no `structure:` "
                      "section; add one, e.g. structure: {{plugin: newman_watts_strogatz, n: 100}}",
                      name));
    }
  }
  // a strategy that prunes by its own threshold cannot follow the sparsity targets of gradual or at_init
  auto pruning = out.find("pruning");
  auto schedule = out.find("pruning.schedule");
  const std::string kind = schedule != out.end() && schedule->second.fixed.has("kind")
                               ? std::get<std::string>(schedule->second.fixed.value("kind"))
                               : std::string();
  if (pruning != out.end() && pruning->second.plugin && pruning->second.plugin_name &&
      (kind == "gradual" || kind == "at_init")) {
    const std::string& name = std::get<std::string>(pruning->second.plugin_name->value);
    if (plugins.pruner_scope(name, pruning->second.plugin->params) == plugin::SelectionScope::below_zero) {
      SourceLocation where = schedule->second.fixed.location_of("kind");
      problems.add(where.to_string().empty() ? pruning->second.plugin_name->where : where,
                   "pruning.schedule.kind", prune::threshold_strategy_refusal(name, kind));
    }
  }
  // n_m keeps N of every M weights of a row: it needs a strategy ranking weights, and a schedule that prunes by
  // the selection rule (gradual, dynamic and at_init prune to their own density targets)
  auto selection = out.find("pruning.selection");
  const bool n_m = selection != out.end() && selection->second.fixed.has("rule") &&
                   std::get<std::string>(selection->second.fixed.value("rule")) == "n_m";
  if (n_m && pruning != out.end() && pruning->second.plugin && pruning->second.plugin_name) {
    const SourceLocation where = selection->second.fixed.location_of("rule");
    const std::string& name = std::get<std::string>(pruning->second.plugin_name->value);
    if (kind == "gradual" || kind == "dynamic" || kind == "at_init") {
      problems.add(
          where, "pruning.selection.rule",
          fmt::format("n_m goes with one_shot or iterative schedules; the {} schedule prunes to its own "
                      "density targets",
                      kind));
    } else if (plugins.pruner_granularity(name, pruning->second.plugin->params) != plugin::PruningGranularity::weight ||
               plugins.pruner_scope(name, pruning->second.plugin->params) == plugin::SelectionScope::below_zero) {
      problems.add(where, "pruning.selection.rule",
                   fmt::format("n_m keeps the best N of every M weights, but pruner '{}' scores whole units or "
                               "prunes by its own threshold; use a strategy that ranks weights (e.g. "
                               "magnitude_global)",
                               name));
    }
  }
  // kernel and channel group the weights a strategy scores; the schedules that prune to weight-density
  // targets, n_m and unit-scoring strategies have no use for them
  const bool grouped = selection != out.end() && selection->second.fixed.has("granularity") &&
                       std::get<std::string>(selection->second.fixed.value("granularity")) != "weight";
  if (grouped && !n_m && pruning != out.end() && pruning->second.plugin && pruning->second.plugin_name) {
    const SourceLocation where = selection->second.fixed.location_of("granularity");
    const std::string& name = std::get<std::string>(pruning->second.plugin_name->value);
    if (kind == "gradual" || kind == "dynamic" || kind == "at_init") {
      problems.add(
          where, "pruning.selection.granularity",
          fmt::format("kernel and channel granularity go with one_shot or iterative schedules; the {} "
                      "schedule prunes single weights to its own density targets",
                      kind));
    } else if (plugins.pruner_granularity(name, pruning->second.plugin->params) !=
               plugin::PruningGranularity::weight) {
      problems.add(
          where, "pruning.selection.granularity",
          fmt::format("pruner '{}' scores whole units itself; kernel and channel granularity group the "
                      "scores of a strategy that scores weights (e.g. magnitude_global)",
                      name));
    }
  }
  if (grouped && n_m) {
    problems.add(selection->second.fixed.location_of("granularity"), "pruning.selection.granularity",
                 "the n_m rule keeps N of every M consecutive weights, so it needs granularity weight");
  }
  return out;
}

}  // namespace structlab::spec::detail
