// A minimal complex type for per-k code on host and device (std::complex is not usable in
// device code without extra flags, and its operations differ between backends).
#pragma once
#include "bzint/hd.hpp"

namespace bzint {

struct cplx {
    double re, im;
};

BZINT_HD cplx operator+(cplx a, cplx b) { return {a.re + b.re, a.im + b.im}; }
BZINT_HD cplx operator-(cplx a, cplx b) { return {a.re - b.re, a.im - b.im}; }
BZINT_HD cplx operator-(cplx a) { return {-a.re, -a.im}; }
BZINT_HD cplx operator*(cplx a, cplx b) { return {a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re}; }
BZINT_HD cplx operator*(double s, cplx a) { return {s * a.re, s * a.im}; }
BZINT_HD cplx conj(cplx a) { return {a.re, -a.im}; }
BZINT_HD double norm2(cplx a) { return a.re * a.re + a.im * a.im; }
BZINT_HD cplx& operator+=(cplx& a, cplx b) {
    a.re += b.re;
    a.im += b.im;
    return a;
}
BZINT_HD cplx& operator-=(cplx& a, cplx b) {
    a.re -= b.re;
    a.im -= b.im;
    return a;
}
BZINT_HD cplx times_i(cplx a) { return {-a.im, a.re}; }
BZINT_HD cplx cdiv(cplx a, cplx b) {
    const double d = norm2(b);
    return {(a.re * b.re + a.im * b.im) / d, (a.im * b.re - a.re * b.im) / d};
}
BZINT_HD cplx clog(cplx z) { return {0.5 * log(norm2(z)), atan2(z.im, z.re)}; }

}  // namespace bzint
