// splitmix64 (Steele, Lea and Flood, OOPSLA 2014): a 64-bit state advanced by a fixed odd
// increment, each output the state's finalising mix. Fast, stateless to seed, and the same bits
// on the host and on the device; what the fixed vectors of the second Chern number's sections and
// the kernel polynomial method's random phases draw from.
#pragma once
#include "bzint/hd.hpp"

namespace bzint {

constexpr unsigned long long kSplitmix64Increment = 0x9E3779B97F4A7C15ULL;

// The finalising mix (a bijection of 64-bit words), also the seeds' mixer.
BZINT_HD_INLINE unsigned long long splitmix64_mix(unsigned long long x) {
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

// The stream's next output at state z (advancing it), as a double in [0, 1): its top 53 bits.
BZINT_HD_INLINE double splitmix64_unit(unsigned long long& z) {
    z += kSplitmix64Increment;
    return static_cast<double>(splitmix64_mix(z) >> 11) * (1.0 / 9007199254740992.0);
}

}  // namespace bzint
