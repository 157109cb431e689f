#include "sweep_log.hpp"

#include <fmt/core.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <utility>

#include "../checkpoint.hpp"
#include "../input_error.hpp"
#include "../input_record.hpp"
#include "../ranks.hpp"

namespace bzint {

using nlohmann::json;

namespace {

constexpr int kLogVersion = 4;  // 3: rows carry step_error, window_error or mesh_error; 4: hybrid_current's their estimate

std::string checksum(const std::string& text) { return fmt::format("{:016x}", fingerprint_of(text)); }

}  // namespace

SweepLog::SweepLog(const TaskContext& ctx, std::string key, bool keep)
    : key_(std::move(key)),
      path_((std::filesystem::path(ctx.options.out_dir) / (ctx.cfg.title + "_sweep.jsonl")).string()),
      kept_on_disk_(ctx.options.write_outputs && keep) {
    if (!ctx.options.write_outputs) return;
    json input = ctx.input;
    if (key_ == "E" && input["run_file"].contains("field")) input["run_file"]["field"].erase("E");  // the rows' keys
    header_ = {{"bzint_sweep_log", kLogVersion}, {"key", key_}, {"input", input}};
    std::error_code ec;
    if (!std::filesystem::exists(path_, ec)) return;
    std::ifstream in(path_, std::ios::binary);
    std::string text;
    if (in) text.assign(std::istreambuf_iterator<char>(in), {});
    if (!in && !in.eof()) throw InputError(fmt::format("{}: cannot read the sweep log to resume", path_));
    if (text.size() > kLargestSweepLog) throw InputError(fmt::format("{}: a sweep log over 1 GiB; not one of bzint's", path_));
    std::vector<std::string> lines;
    std::istringstream ss(text);
    for (std::string line; std::getline(ss, line);) lines.push_back(line);
    const bool cut_end = !text.empty() && text.back() != '\n';
    auto refuse = [&](std::size_t i, const std::string& why) {
        return InputError(fmt::format("{}:{}: {}; run without --resume to start the sweep over", path_, i + 1, why));
    };
    if (lines.empty()) return;
    // A fresh run replaces a finished log, never an interrupted one; a run that keeps no log
    // (its input's rows would outgrow it) cannot continue one either: the log is another input's.
    if (!ctx.options.resume || !keep) {
        bool ours = false, complete = false;
        try {
            ours = json::parse(lines[0]).contains("bzint_sweep_log");
            complete = json::parse(lines.back()).value("complete", false);
        } catch (const std::exception&) {
        }
        if (ours && !complete && !keep)
            throw InputError(fmt::format("{} holds the rows of another input's interrupted sweep, and this run keeps no "
                                         "log to continue: remove the file",
                                         path_));
        if (ours && !complete)
            throw InputError(fmt::format("{} holds the rows of an interrupted sweep: add --resume (in Python "
                                         "resume=True) to continue it, or remove the file to start over",
                                         path_));
        return;
    }
    json head;
    try {
        head = json::parse(lines[0]);
    } catch (const std::exception&) {
        throw refuse(0, "not a bzint sweep log");
    }
    if (!head.is_object() || head.value("bzint_sweep_log", 0) != kLogVersion || !head.contains("input"))
        throw refuse(0, fmt::format("not a bzint sweep log of format {} (written by another version?)", kLogVersion));
    // (Logs written before rows had other keys than E carry no "key".)
    if (head.value("key", std::string("E")) != key_)
        throw refuse(0, fmt::format("the log's rows are keyed by '{}', this run's by '{}': another task's log",
                                    head.value("key", std::string("E")), key_));
    if (head["input"] != input)
        throw refuse(0, fmt::format("the log was written for another input ({})", join_differences(input_differences(head["input"], input))));
    kept_.push_back(lines[0]);
    for (std::size_t i = 1; i < lines.size(); ++i) {
        const bool last = i + 1 == lines.size();
        try {
            const json j = json::parse(lines[i]);
            if (j.value("complete", false) && last) break;  // the finished sweep's last line
            const std::string row = j.at("row").dump();
            if (j.at("checksum").get<std::string>() != checksum(row)) throw refuse(i, "the line's checksum does not match");
            done_[j["row"].at(key_).get<double>()] = j["row"];
            kept_.push_back(lines[i]);
        } catch (const InputError&) {
            throw;
        } catch (const std::exception&) {
            if (last && cut_end) {  // the interruption cut the line being written: recompute it
                std::fprintf(stderr, "bzint: %s: dropping its last line, cut short; that row is computed again\n", path_.c_str());
                break;
            }
            throw refuse(i, "a corrupt line");
        }
    }
}

const json* SweepLog::find(double value) const {
    auto it = done_.find(value);
    return it == done_.end() ? nullptr : &it->second;
}

AppendLog& SweepLog::log() {
    if (!out_) {  // the first line written: the header and the rows read back, then appends
        std::string head;
        if (kept_.empty()) kept_.push_back(header_.dump());
        for (const auto& l : kept_) head += l + "\n";
        out_ = std::make_unique<AppendLog>(path_, head);
    }
    return *out_;
}

void SweepLog::add(const json& row) {
    if (!kept_on_disk_ || !ranks::is_root()) return;  // every rank computed the same row; one writes it
    const std::string text = row.dump();
    log().append_line(json{{"row", row}, {"checksum", checksum(text)}}.dump());
    CheckpointSession::note_resumable_state();
}

void SweepLog::complete() {
    if (!kept_on_disk_ || !ranks::is_root()) return;
    log().append_line(json{{"complete", true}}.dump());
}

}  // namespace bzint
