#include "task_registry.hpp"

namespace bzint {

namespace {
const TaskInfo kTasks[] = {
    {"bands", check_bands, task_bands},
    {"berry", check_berry, task_berry},
    {"chern", check_chern, task_chern},
    {"ahc", check_ahc, task_ahc},
    {"cme", check_cme, task_cme},
    {"anomaly", check_anomaly, task_anomaly},
    {"dipole", check_dipole, task_dipole},
    {"dc_current", check_dc_current, task_dc_current},
    {"streda", check_streda, task_streda},
    {"spin_density", check_spin_density, task_spin_density},
    {"disorder_ahe", check_disorder_ahe, task_disorder_ahe},
    {"hybrid_current", check_hybrid_current, task_hybrid_current},
    {"phase_space_chern", check_phase_space_chern, task_phase_space_chern},
    {"texture_geometry", check_texture_geometry, task_texture_geometry},
    {"texture_density", check_texture_density, task_texture_density},
    {"texture_current", check_texture_current, task_texture_current},
    {"texture_transport", check_texture_transport, task_texture_transport},
    {"trajectories", check_trajectories, task_trajectories},
    {"kinetic_ramp", check_kinetic_ramp, task_kinetic_ramp},
    {"texture_lattice", check_texture_lattice, task_texture_lattice},
    {"second_chern", check_second_chern, task_second_chern},
    {"weyl_nodes", check_weyl_nodes, task_weyl_nodes},
};
}  // namespace

const TaskInfo* find_task(const std::string& name) {
    for (const TaskInfo& t : kTasks)
        if (name == t.name) return &t;
    return nullptr;
}

Section task_section(const TaskContext& ctx, const char* name, const char* registry_name) {
    return Section(ctx.file, ctx.file.root()[name].as_table(), registry_name ? registry_name : name, ctx.cfg.task);
}

std::string task_names() {
    std::string s;
    for (const TaskInfo& t : kTasks) s += (s.empty() ? "" : ", ") + std::string(t.name);
    return s;
}

}  // namespace bzint
