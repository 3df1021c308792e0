// Runs every registered test, or those whose name contains argv[1].
#include <chrono>

#include "harness.h"

int main(int argc, char** argv) {
    const char* filter = argc > 1 ? argv[1] : nullptr;
    int run = 0, failedTests = 0;
    auto t0 = std::chrono::steady_clock::now();
    for (const th::Case& c : th::registry()) {
        if (filter && !strstr(c.name, filter)) continue;
        int before = th::failures();
        auto s = std::chrono::steady_clock::now();
        c.fn();
        double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - s).count();
        bool ok = th::failures() == before;
        printf("%-4s %-44s %8.1f ms\n", ok ? "ok" : "FAIL", c.name, ms);
        fflush(stdout);
        run++;
        failedTests += !ok;
    }
    double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    printf("%d tests, %d checks, %d failed tests, %d failed checks, %.2f s\n", run, th::checks(), failedTests, th::failures(), total);
    return failedTests == 0 && run > 0 ? 0 : 1;
}
