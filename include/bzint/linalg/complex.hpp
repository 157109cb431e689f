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

}  // namespace bzint
