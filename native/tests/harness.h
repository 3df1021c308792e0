// harness.h - a tiny test harness: TEST(name) { ... } with CHECK / CHECK_MSG / expect_close.
#pragma once

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace th {

struct Case {
    const char* name;
    void (*fn)();
};
inline std::vector<Case>& registry() {
    static std::vector<Case> r;
    return r;
}
inline int& failures() {
    static int f = 0;
    return f;
}
inline int& checks() {
    static int c = 0;
    return c;
}
struct Register {
    Register(const char* n, void (*f)()) { registry().push_back({n, f}); }
};

inline void fail(const char* file, int line, const std::string& msg) {
    failures()++;
    fprintf(stderr, "    FAIL %s:%d: %s\n", file, line, msg.c_str());
}

// Compares got[i] with the double reference want[i]: |got - want| <= atol + rtol |want|.
// NaN in got never matches (that is how the NaN-poisoned shared memory shows up).
template <class T>
bool expect_close(const char* file, int line, const char* what, const T* got, const double* want, size_t n, double rtol, double atol) {
    checks()++;
    size_t bad = 0, first = n;
    double worst = 0;
    for (size_t i = 0; i < n; i++) {
        double g = (double)got[i], w = want[i];
        double err = std::fabs(g - w);
        bool ok = (std::isnan(w) && std::isnan(g)) || (std::isinf(w) && g == w) || err <= atol + rtol * std::fabs(w);
        if (!ok) {
            if (first == n) first = i;
            bad++;
            if (!(err <= worst)) worst = err;
        }
    }
    if (bad) {
        char buf[512];
        snprintf(buf, sizeof buf, "%s: %zu of %zu elements differ; first at %zu: got %.9g want %.9g; worst abs err %.3g (rtol %.1g atol %.1g)", what,
                 bad, n, first, (double)got[first], want[first], worst, rtol, atol);
        fail(file, line, buf);
        return false;
    }
    return true;
}

}  // namespace th

#define TEST(name)                                        \
    static void test_##name();                            \
    static th::Register reg_##name(#name, &test_##name);  \
    static void test_##name()

#define CHECK(cond)                                                  \
    do {                                                             \
        th::checks()++;                                              \
        if (!(cond)) th::fail(__FILE__, __LINE__, "CHECK(" #cond ")"); \
    } while (0)
#define CHECK_MSG(cond, ...)                                   \
    do {                                                       \
        th::checks()++;                                        \
        if (!(cond)) {                                         \
            char b_[1024];                                     \
            snprintf(b_, sizeof b_, __VA_ARGS__);              \
            th::fail(__FILE__, __LINE__, b_);                  \
        }                                                      \
    } while (0)
#define EXPECT_CLOSE(what, got, want, n, rtol, atol) th::expect_close(__FILE__, __LINE__, what, got, want, n, rtol, atol)
#define CHECK_OK(call)                                                                                    \
    do {                                                                                                  \
        th::checks()++;                                                                                   \
        int rc_ = (call);                                                                                 \
        if (rc_ != 0) th::fail(__FILE__, __LINE__, std::string(#call " returned ") + std::to_string(rc_) + ": " + sfd_last_error()); \
    } while (0)
