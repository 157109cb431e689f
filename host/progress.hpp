// Progress on stderr for long runs: done/total, rate and ETA, at most once a second,
// and only once a run has lasted more than two seconds. Under MPI only rank 0 prints.
#pragma once
#include <chrono>
#include <string>

namespace bzint {

class Progress {
public:
    Progress(std::string what, long long total, std::string unit = "k");
    void update(long long done);
    void finish();

private:
    using clock = std::chrono::steady_clock;
    std::string what_, unit_;
    long long total_;
    clock::time_point start_, last_;
    bool printed_ = false;
};

}  // namespace bzint
