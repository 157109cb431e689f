#include "sweep_log.hpp"

#include <vector>

#include "../ranks.hpp"

namespace bzint {

using nlohmann::json;

SweepLog::SweepLog(const TaskContext& ctx) : path_(std::filesystem::path(ctx.options.out_dir) / (ctx.cfg.title + "_sweep.jsonl")) {
    std::filesystem::create_directories(ctx.options.out_dir);
    std::vector<std::string> valid;
    if (ctx.options.resume) {
        std::ifstream in(path_);
        std::string line;
        while (std::getline(in, line)) {
            if (line.empty()) continue;
            try {
                json j = json::parse(line);
                done_[j["E"].get<double>()] = j;
                valid.push_back(line);
            } catch (const std::exception&) {
                break;  // a line cut by the interruption: recompute from there
            }
        }
    }
    ranks::barrier();  // every rank has read the log before rank 0 rewrites it
    if (!ranks::is_root()) return;
    std::ofstream rewrite(path_, std::ios::trunc);  // drop a cut last line before appending
    for (const auto& l : valid) rewrite << l << "\n";
    out_.open(path_, std::ios::app);
}

const json* SweepLog::find(double E) const {
    auto it = done_.find(E);
    return it == done_.end() ? nullptr : &it->second;
}

void SweepLog::add(const json& row) {
    if (!ranks::is_root()) return;  // every rank computed the same row; one writes it
    out_ << row.dump() << "\n";
    out_.flush();
}

}  // namespace bzint
