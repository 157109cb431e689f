#include "task_registry.hpp"

namespace bzint {

namespace {
const TaskInfo kTasks[] = {
    {"bands", task_bands}, {"berry", task_berry},     {"chern", task_chern},   {"ahc", task_ahc},
    {"cme", task_cme},     {"anomaly", task_anomaly}, {"dipole", task_dipole},   {"dc_current", task_dc_current},
    {"streda", task_streda}, {"spin_density", task_spin_density},
    {"disorder_ahe", task_disorder_ahe}, {"hybrid_current", task_hybrid_current},
};
}  // namespace

const TaskInfo* find_task(const std::string& name) {
    for (const TaskInfo& t : kTasks)
        if (name == t.name) return &t;
    return nullptr;
}

std::string task_names() {
    std::string s;
    for (const TaskInfo& t : kTasks) s += (s.empty() ? "" : ", ") + std::string(t.name);
    return s;
}

}  // namespace bzint
