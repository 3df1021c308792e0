// emu.cpp - the host emulation of the CUDA execution model. See emu.h for what it does and checks.
#include "emu.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <sys/mman.h>
#include <unistd.h>

#if !defined(__x86_64__)
#include <ucontext.h>
#endif

// ThreadSanitizer (thread mode): the emulator's own mutex would order every CUDA thread after every
// other one and hide races. So its bookkeeping runs in "quiet" regions whose memory accesses and
// synchronisation TSan ignores, and a barrier is modelled explicitly: each arriving thread releases a
// per-barrier sync object, each leaving thread acquires it. Only barriers order kernel code, as on a GPU.
#if defined(__SANITIZE_THREAD__)
extern "C" {
void AnnotateIgnoreSyncBegin(const char* f, int l);
void AnnotateIgnoreSyncEnd(const char* f, int l);
void AnnotateIgnoreReadsBegin(const char* f, int l);
void AnnotateIgnoreReadsEnd(const char* f, int l);
void AnnotateIgnoreWritesBegin(const char* f, int l);
void AnnotateIgnoreWritesEnd(const char* f, int l);
void __tsan_acquire(void* addr);
void __tsan_release(void* addr);
}
struct TsanQuiet {
    TsanQuiet() {
        AnnotateIgnoreSyncBegin(__FILE__, __LINE__);
        AnnotateIgnoreReadsBegin(__FILE__, __LINE__);
        AnnotateIgnoreWritesBegin(__FILE__, __LINE__);
    }
    ~TsanQuiet() {
        AnnotateIgnoreWritesEnd(__FILE__, __LINE__);
        AnnotateIgnoreReadsEnd(__FILE__, __LINE__);
        AnnotateIgnoreSyncEnd(__FILE__, __LINE__);
    }
};
#define SFD_TSAN_QUIET TsanQuiet tsan_quiet_
#define SFD_TSAN_RELEASE(p) __tsan_release((void*)(p))
#define SFD_TSAN_ACQUIRE(p) __tsan_acquire((void*)(p))
#else
#define SFD_TSAN_QUIET
#define SFD_TSAN_RELEASE(p) ((void)0)
#define SFD_TSAN_ACQUIRE(p) ((void)0)
#endif

namespace sfd {
namespace emu {

namespace {

constexpr int kMaxThreads = 1024;
constexpr int kMaxStatic = 64;               // SFD_SHARED declarations per kernel
constexpr size_t kSharedLimit = 48 * 1024;   // static + dynamic, as on a GPU without the opt-in attribute
constexpr size_t kStackBytes = 128 * 1024;   // per fiber
constexpr unsigned char kPoison = 0xFF;      // 0xFFFFFFFF is a NaN as float, 0xFF..FF a NaN as double

// ------------------------------------------------------------------ configuration
Config config_from_env() {
    Config c{Mode::Fibers, 1, Schedule::Forward, 0x5fd5fd};
    unsigned hw = std::thread::hardware_concurrency();
    c.workers = (int)std::min(8u, std::max(1u, hw));
    if (const char* m = getenv("SFD_EMU_MODE")) {
        if (!strcmp(m, "threads")) c.mode = Mode::Threads;
    }
    if (const char* w = getenv("SFD_EMU_WORKERS")) {
        int v = atoi(w);
        if (v >= 1 && v <= 64) c.workers = v;
    }
    if (const char* s = getenv("SFD_EMU_SCHEDULE")) {
        if (!strcmp(s, "reverse")) c.schedule = Schedule::Reverse;
        else if (!strcmp(s, "random")) c.schedule = Schedule::Random;
    }
#if defined(__SANITIZE_THREAD__)
    c.mode = Mode::Threads;  // ThreadSanitizer cannot follow hand-made stack switches
#endif
    return c;
}
std::mutex g_config_mu;
Config g_config = config_from_env();

thread_local std::string t_detail;
thread_local cudaError_t t_last = cudaSuccess;
thread_local ThreadCtx* t_cur = nullptr;

struct Fault {
    std::string msg;
};
struct Abort {};

std::string vformat(const char* fmt, va_list ap) {
    char buf[1024];
    vsnprintf(buf, sizeof buf, fmt, ap);
    return buf;
}
std::string format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
std::string format(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    std::string s = vformat(fmt, ap);
    va_end(ap);
    return s;
}

// ------------------------------------------------------------------ fibers (context switch)
#if defined(__x86_64__)
extern "C" void sfd_emu_switch(void** save_sp, void* to_sp);
extern "C" void sfd_emu_trampoline();
// Saves the callee-saved registers, MXCSR and the x87 control word on the current stack, stores the
// stack pointer in *save_sp, switches to to_sp and restores the same from there (System V ABI).
asm(R"(
    .text
    .globl sfd_emu_switch
    .hidden sfd_emu_switch
    .type sfd_emu_switch, @function
sfd_emu_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    subq $8, %rsp
    stmxcsr (%rsp)
    fnstcw 4(%rsp)
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    ldmxcsr (%rsp)
    fldcw 4(%rsp)
    addq $8, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size sfd_emu_switch, .-sfd_emu_switch

    .globl sfd_emu_trampoline
    .hidden sfd_emu_trampoline
    .type sfd_emu_trampoline, @function
sfd_emu_trampoline:
    movq %r12, %rdi
    callq *%r13
    ud2
    .size sfd_emu_trampoline, .-sfd_emu_trampoline
)");

struct FiberCtx {
    void* sp = nullptr;
};
void fiber_init(FiberCtx& f, unsigned char* stackTop, void (*fn)(void*), void* arg) {
    uintptr_t top = ((uintptr_t)stackTop - 128) & ~(uintptr_t)15;
    uint64_t* s = (uint64_t*)top;
    uint32_t csr[2];
    asm volatile("stmxcsr %0" : "=m"(csr[0]));
    asm volatile("fnstcw %0" : "=m"(csr[1]));
    memcpy(&s[0], csr, 8);
    s[1] = 0;                              // r15
    s[2] = 0;                              // r14
    s[3] = (uint64_t)(uintptr_t)fn;        // r13
    s[4] = (uint64_t)(uintptr_t)arg;       // r12
    s[5] = 0;                              // rbx
    s[6] = 0;                              // rbp
    s[7] = (uint64_t)(uintptr_t)&sfd_emu_trampoline;
    f.sp = s;
}
inline void fiber_switch(FiberCtx& from, FiberCtx& to) { sfd_emu_switch(&from.sp, to.sp); }
#else
struct FiberCtx {
    ucontext_t uc;
};
void fiber_init(FiberCtx& f, unsigned char* stackTop, void (*fn)(void*), void* arg) {
    getcontext(&f.uc);
    f.uc.uc_stack.ss_sp = stackTop - kStackBytes;
    f.uc.uc_stack.ss_size = kStackBytes;
    f.uc.uc_link = nullptr;
    makecontext(&f.uc, (void (*)())fn, 1, arg);  // pointer passed as one int-sized arg on LP64 glibc
}
inline void fiber_switch(FiberCtx& from, FiberCtx& to) { swapcontext(&from.uc, &to.uc); }
#endif

// ------------------------------------------------------------------ per-block state
enum class TState : uint8_t { Ready, WaitBlock, WaitWarp, Exited };

struct WarpState {
    int size = 32;          // lanes that exist (the last warp of a block may be partial)
    int arrived = 0;
    unsigned mask = 0;
    const char* file = nullptr;
    int line = 0;
    unsigned long long gen = 0;
    uint64_t slots[32];
    char tsan_sync[2];  // release/acquire targets of even and odd warp barriers
};

}  // namespace

struct BlockState {
    const char* kernel = nullptr;
    dim3 grid, block;
    uint3 bidx{0, 0, 0};
    int n = 0;
    bool threads_mode = false;
    KernelBody body{};
    std::vector<ThreadCtx> ctx;
    std::vector<TState> state;
    std::vector<WarpState> warps;
    // block barrier
    int arrived = 0, exited = 0, blocked = 0;
    const char* bfile = nullptr;
    int bline = 0;
    unsigned long long gen = 0;
    char tsan_sync[2];  // release/acquire targets of even and odd __syncthreads
    // shared memory
    SmemRegion statics[kMaxStatic];
    std::vector<unsigned char> static_buf[kMaxStatic];
    int nstatic = 0;
    size_t static_bytes = 0;
    SmemRegion dyn{};
    std::vector<unsigned char> dyn_buf;
    // failure
    bool failed = false;
    std::string error;
    // thread mode
    std::mutex mu;
    std::condition_variable cv;
    // fiber mode
    std::vector<FiberCtx> fibers;
    FiberCtx sched;
};

namespace {

std::string thread_name(const ThreadCtx* c) {
    return format("thread (%u,%u,%u)", c->thread_idx.x, c->thread_idx.y, c->thread_idx.z);
}

// Marks the block failed with msg (first failure wins). Caller holds the block lock in thread mode.
void fail_locked(BlockState* b, const std::string& msg) {
    if (!b->failed) {
        b->failed = true;
        b->error = msg;
    }
    if (b->threads_mode) b->cv.notify_all();
}

std::string describe_waiters(BlockState* b) {
    std::string s;
    int shown = 0;
    for (int t = 0; t < b->n && shown < 4; t++) {
        if (b->state[t] == TState::WaitBlock) {
            s += format("%s%s waits at __syncthreads %s:%d", shown ? "; " : "", thread_name(&b->ctx[t]).c_str(), b->bfile, b->bline);
            shown++;
        } else if (b->state[t] == TState::WaitWarp) {
            const WarpState& w = b->warps[t / 32];
            s += format("%s%s waits at warp barrier %s:%d", shown ? "; " : "", thread_name(&b->ctx[t]).c_str(), w.file, w.line);
            shown++;
        }
    }
    return s;
}

// Called when every live thread is blocked and no barrier can complete.
void report_stuck(BlockState* b) {
    int wb = 0, ww = 0;
    for (int t = 0; t < b->n; t++) {
        wb += b->state[t] == TState::WaitBlock;
        ww += b->state[t] == TState::WaitWarp;
    }
    fail_locked(b, format("deadlock (divergent barrier): %d threads wait at __syncthreads, %d at a warp barrier, %d exited; "
                          "no barrier can complete: %s",
                          wb, ww, b->exited, describe_waiters(b).c_str()));
}

struct Worker;
Worker& this_worker();

void yield_wait(BlockState* b, ThreadCtx* c, std::unique_lock<std::mutex>& lk, TState waitState,
                const unsigned long long* genp) {
    b->state[c->linear] = waitState;
    b->blocked++;
    if (b->blocked + b->exited == b->n) {
        report_stuck(b);
        throw Abort{};
    }
    if (!b->threads_mode) {
        fiber_switch(b->fibers[c->linear], b->sched);
        t_cur = c;
        return;  // the scheduler abandons a failed block, so resuming means released
    }
    unsigned long long g = *genp;
    b->cv.wait(lk, [&] { return *genp != g || b->failed; });
    if (*genp == g) throw Abort{};
}

}  // namespace

// ------------------------------------------------------------------ public API used by kernels
ThreadCtx* current() { return t_cur; }

Config config() {
    std::lock_guard<std::mutex> g(g_config_mu);
    return g_config;
}
void configure(const Config& c) {
    std::lock_guard<std::mutex> g(g_config_mu);
    g_config = c;
    if (g_config.workers < 1) g_config.workers = 1;
#if defined(__SANITIZE_THREAD__)
    g_config.mode = Mode::Threads;
#endif
}

const char* last_error_detail() { return t_detail.c_str(); }

void kernel_fault(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    std::string m = vformat(fmt, ap);
    va_end(ap);
    throw Fault{thread_name(t_cur) + ": " + m};
}

void smem_out_of_bounds(const SmemRegion* r, long long index, size_t elem) {
    kernel_fault("shared memory index %lld out of bounds [0, %zu) of '%s' declared at %s:%d", index, r->bytes / elem, r->name,
                 r->file, r->line);
}

static void syncthreads_impl(const char* file, int line);

void syncthreads(const char* file, int line) {
    ThreadCtx* c = t_cur;
    BlockState* b = c->block;
    char* sync = &b->tsan_sync[c->barriers++ & 1];
    (void)sync;
    SFD_TSAN_RELEASE(sync);
    {
        SFD_TSAN_QUIET;
        syncthreads_impl(file, line);
    }
    SFD_TSAN_ACQUIRE(sync);
}

static void syncthreads_impl(const char* file, int line) {
    ThreadCtx* c = t_cur;
    BlockState* b = c->block;
    std::unique_lock<std::mutex> lk(b->mu, std::defer_lock);
    if (b->threads_mode) {
        lk.lock();
        if (b->failed) throw Abort{};
    }
    if (b->exited > 0) {
        kernel_fault("deadlock (divergent barrier): waits at __syncthreads %s:%d but %d thread(s) of the block already exited "
                     "without reaching it",
                     file, line, b->exited);
    }
    if (b->arrived > 0 && (b->bline != line || strcmp(b->bfile, file) != 0)) {
        kernel_fault("deadlock (divergent barrier): waits at __syncthreads %s:%d while %d thread(s) wait at %s:%d", file, line,
                     b->arrived, b->bfile, b->bline);
    }
    if (b->arrived == 0) {
        b->bfile = file;
        b->bline = line;
    }
    if (++b->arrived == b->n) {
        b->arrived = 0;
        b->gen++;
        b->blocked -= b->n - 1;
        for (int t = 0; t < b->n; t++)
            if (b->state[t] == TState::WaitBlock) b->state[t] = TState::Ready;
        if (b->threads_mode) b->cv.notify_all();
        return;
    }
    yield_wait(b, c, lk, TState::WaitBlock, &b->gen);
}

namespace {
void warp_barrier(BlockState* b, ThreadCtx* c, std::unique_lock<std::mutex>& lk, unsigned mask, const char* file, int line) {
    int lane = c->linear & 31;
    WarpState& w = b->warps[c->linear >> 5];
    unsigned exist = w.size == 32 ? 0xffffffffu : ((1u << w.size) - 1);
    if (mask & ~exist) kernel_fault("warp operation at %s:%d: mask 0x%08x names lanes that do not exist (warp has %d lanes)", file, line, mask, w.size);
    if (!(mask & (1u << lane))) kernel_fault("warp operation at %s:%d: calling lane %d is not in mask 0x%08x", file, line, lane, mask);
    for (int l = 0; l < w.size; l++) {
        if ((mask & (1u << l)) && b->state[(c->linear & ~31) + l] == TState::Exited)
            kernel_fault("deadlock (divergent warp): warp operation at %s:%d with mask 0x%08x but lane %d already exited", file, line, mask, l);
    }
    if (w.arrived > 0 && (w.mask != mask || w.line != line || strcmp(w.file, file) != 0)) {
        kernel_fault("deadlock (divergent warp): warp operation at %s:%d (mask 0x%08x) while %d lane(s) wait at %s:%d (mask 0x%08x)", file,
                     line, mask, w.arrived, w.file, w.line, w.mask);
    }
    if (w.arrived == 0) {
        w.mask = mask;
        w.file = file;
        w.line = line;
    }
    int need = __builtin_popcount(mask);
    if (++w.arrived == need) {
        w.arrived = 0;
        w.gen++;
        b->blocked -= need - 1;
        for (int l = 0; l < w.size; l++) {
            int t = (c->linear & ~31) + l;
            if ((mask & (1u << l)) && b->state[t] == TState::WaitWarp) b->state[t] = TState::Ready;
        }
        if (b->threads_mode) b->cv.notify_all();
        return;
    }
    yield_wait(b, c, lk, TState::WaitWarp, &w.gen);
}
}  // namespace

void syncwarp(const char* file, int line, unsigned mask) {
    ThreadCtx* c = t_cur;
    BlockState* b = c->block;
    char* sync = &b->warps[c->linear >> 5].tsan_sync[c->warp_barriers++ & 1];
    (void)sync;
    SFD_TSAN_RELEASE(sync);
    {
        SFD_TSAN_QUIET;
        std::unique_lock<std::mutex> lk(b->mu, std::defer_lock);
        if (b->threads_mode) {
            lk.lock();
            if (b->failed) throw Abort{};
        }
        warp_barrier(b, c, lk, mask, file, line);
    }
    SFD_TSAN_ACQUIRE(sync);
}

uint64_t shfl_raw(unsigned mask, uint64_t bits, ShflKind kind, int arg, int width) {
    ThreadCtx* c = t_cur;
    BlockState* b = c->block;
    SFD_TSAN_QUIET;  // the exchange slots are emulator state; shuffles move values, not memory
    std::unique_lock<std::mutex> lk(b->mu, std::defer_lock);
    if (b->threads_mode) {
        lk.lock();
        if (b->failed) throw Abort{};
    }
    if (width < 1 || width > 32 || (width & (width - 1))) kernel_fault("shuffle width %d is not a power of two <= 32", width);
    int lane = c->linear & 31;
    WarpState& w = b->warps[c->linear >> 5];
    w.slots[lane] = bits;
    // phase 1: every participating lane has published its value
    warp_barrier(b, c, lk, mask, "<warp shuffle: publish>", 0);
    int base = lane & ~(width - 1), src = lane;
    switch (kind) {
        case ShflKind::Xor: src = lane ^ arg; if (src < base || src >= base + width) src = lane; break;
        case ShflKind::Down: src = lane + arg; if (src >= base + width) src = lane; break;
        case ShflKind::Up: src = lane - arg; if (src < base) src = lane; break;
        case ShflKind::Idx: src = base + (arg & (width - 1)); break;
    }
    if (!(w.mask & (1u << src))) kernel_fault("warp shuffle reads lane %d, which is not in mask 0x%08x", src, w.mask);
    uint64_t out = w.slots[src];
    // phase 2: every lane has read before any lane may publish again
    warp_barrier(b, c, lk, mask, "<warp shuffle: consume>", 0);
    return out;
}

const SmemRegion* static_shared_region(size_t bytes, size_t align, const char* name, const char* file, int line) {
    SFD_TSAN_QUIET;
    ThreadCtx* c = t_cur;
    BlockState* b = c->block;
    std::unique_lock<std::mutex> lk(b->mu, std::defer_lock);
    if (b->threads_mode) lk.lock();
    int k = c->static_cursor++;
    if (k < b->nstatic) {
        const SmemRegion& r = b->statics[k];
        if (r.bytes != bytes || r.line != line || strcmp(r.file, file) != 0)
            kernel_fault("shared declaration #%d '%s' (%zu bytes, %s:%d) differs from the one other threads reached: '%s' (%zu bytes, %s:%d)", k,
                         name, bytes, file, line, r.name, r.bytes, r.file, r.line);
        return &b->statics[k];
    }
    if (k >= kMaxStatic) kernel_fault("more than %d SFD_SHARED declarations", kMaxStatic);
    size_t start = (b->static_bytes + align - 1) / align * align;
    if (start + bytes + b->dyn.bytes > kSharedLimit)
        kernel_fault("shared memory '%s' (%zu bytes) exceeds the %zu-byte limit (static %zu + dynamic %zu already)", name, bytes, kSharedLimit,
                     b->static_bytes, b->dyn.bytes);
    b->static_bytes = start + bytes;
    std::vector<unsigned char>& buf = b->static_buf[k];
    if (buf.size() < bytes + 16) buf.resize(bytes + 16);
    unsigned char* p = (unsigned char*)(((uintptr_t)buf.data() + 15) & ~(uintptr_t)15);
    memset(p, kPoison, bytes);
    b->statics[k] = SmemRegion{p, bytes, name, file, line};
    b->nstatic = k + 1;
    return &b->statics[k];
}

const SmemRegion* dynamic_shared_region(const char* name, const char* file, int line) {
    SFD_TSAN_QUIET;
    BlockState* b = t_cur->block;
    std::unique_lock<std::mutex> lk(b->mu, std::defer_lock);
    if (b->threads_mode) lk.lock();
    if (b->dyn.name == nullptr) {  // one region per block; the first declaration names it in messages
        b->dyn.name = name;
        b->dyn.file = file;
        b->dyn.line = line;
    }
    return &b->dyn;
}

// ------------------------------------------------------------------ running blocks
namespace {

struct Worker {
    BlockState bs;
    std::vector<unsigned char*> stacks;
    ~Worker() {
        for (unsigned char* s : stacks) munmap(s, kStackBytes + 4096);
    }
    unsigned char* stack_top(int i) {
        while ((int)stacks.size() <= i) {
            void* p = mmap(nullptr, kStackBytes + 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
            if (p == MAP_FAILED) throw std::bad_alloc();
            mprotect(p, 4096, PROT_NONE);  // guard page: a fiber stack overflow faults instead of corrupting
            stacks.push_back((unsigned char*)p);
        }
        return stacks[i] + kStackBytes + 4096;
    }
};
Worker& this_worker() {
    static thread_local Worker w;
    return w;
}

void on_thread_exit(BlockState* b, ThreadCtx* c) {
    b->state[c->linear] = TState::Exited;
    b->exited++;
    if (b->failed) return;
    if (b->arrived > 0) {
        fail_locked(b, format("deadlock (divergent barrier): %s exited while %d thread(s) wait at __syncthreads %s:%d", thread_name(c).c_str(),
                              b->arrived, b->bfile, b->bline));
        return;
    }
    const WarpState& w = b->warps[c->linear >> 5];
    if (w.arrived > 0 && (w.mask & (1u << (c->linear & 31)))) {
        fail_locked(b, format("deadlock (divergent warp): %s exited while %d lane(s) of its warp wait at %s:%d", thread_name(c).c_str(), w.arrived,
                              w.file, w.line));
        return;
    }
    if (b->blocked > 0 && b->blocked + b->exited == b->n) report_stuck(b);
}

void run_body(BlockState* b, ThreadCtx* c) {
    try {
        b->body.call(b->body.self);
    } catch (Fault& f) {
        SFD_TSAN_QUIET;
        std::unique_lock<std::mutex> lk(b->mu, std::defer_lock);
        if (b->threads_mode) lk.lock();
        fail_locked(b, f.msg);
    } catch (Abort&) {
    } catch (std::exception& e) {
        SFD_TSAN_QUIET;
        std::unique_lock<std::mutex> lk(b->mu, std::defer_lock);
        if (b->threads_mode) lk.lock();
        fail_locked(b, thread_name(c) + ": exception: " + e.what());
    }
    SFD_TSAN_QUIET;
    std::unique_lock<std::mutex> lk(b->mu, std::defer_lock);
    if (b->threads_mode) lk.lock();
    on_thread_exit(b, c);
}

void fiber_main(void* arg) {
    ThreadCtx* c = (ThreadCtx*)arg;
    BlockState* b = c->block;
    t_cur = c;
    run_body(b, c);
    fiber_switch(b->fibers[c->linear], b->sched);
    abort();  // an exited fiber is never resumed
}

void reset_block(BlockState* b, const char* kernel, dim3 grid, dim3 block, size_t smem, KernelBody body, long long linearBlock, bool threads) {
    b->kernel = kernel;
    b->grid = grid;
    b->block = block;
    b->bidx = uint3{(unsigned)(linearBlock % grid.x), (unsigned)(linearBlock / grid.x % grid.y), (unsigned)(linearBlock / ((long long)grid.x * grid.y))};
    b->n = (int)(block.x * block.y * block.z);
    b->threads_mode = threads;
    b->body = body;
    b->ctx.resize(b->n);
    b->state.assign(b->n, TState::Ready);
    int nw = (b->n + 31) / 32;
    b->warps.assign(nw, WarpState{});
    b->warps[nw - 1].size = b->n - (nw - 1) * 32;
    b->arrived = b->exited = b->blocked = 0;
    b->bfile = nullptr;
    b->bline = 0;
    b->gen = 0;
    b->nstatic = 0;
    b->static_bytes = 0;
    if (b->dyn_buf.size() < smem + 16) b->dyn_buf.resize(smem + 16);
    unsigned char* p = (unsigned char*)(((uintptr_t)b->dyn_buf.data() + 15) & ~(uintptr_t)15);
    memset(p, kPoison, smem);
    b->dyn = SmemRegion{p, smem, nullptr, nullptr, 0};
    b->failed = false;
    b->error.clear();
    for (int t = 0; t < b->n; t++) {
        ThreadCtx& c = b->ctx[t];
        c.thread_idx = uint3{(unsigned)(t % block.x), (unsigned)(t / block.x % block.y), (unsigned)(t / (block.x * block.y))};
        c.block_idx = b->bidx;
        c.block_dim = block;
        c.grid_dim = grid;
        c.block = b;
        c.linear = t;
        c.static_cursor = 0;
        c.barriers = c.warp_barriers = 0;
    }
}

void run_block_fibers(Worker& w, Schedule sched, uint64_t seed, long long linearBlock) {
    BlockState* b = &w.bs;
    b->fibers.resize(b->n);
    for (int t = 0; t < b->n; t++) fiber_init(b->fibers[t], w.stack_top(t), &fiber_main, &b->ctx[t]);
    std::vector<int> order(b->n);
    for (int t = 0; t < b->n; t++) order[t] = sched == Schedule::Reverse ? b->n - 1 - t : t;
    std::mt19937_64 rng(seed ^ (0x9E3779B97F4A7C15ull * (uint64_t)(linearBlock + 1)));
    ThreadCtx* saved = t_cur;
    for (;;) {
        if (sched == Schedule::Random) std::shuffle(order.begin(), order.end(), rng);
        bool ran = false;
        for (int t : order) {
            if (b->state[t] != TState::Ready) continue;
            t_cur = &b->ctx[t];
            fiber_switch(b->sched, b->fibers[t]);
            ran = true;
            if (b->failed) break;
        }
        if (b->failed || b->exited == b->n) break;
        if (!ran) {
            report_stuck(b);
            break;
        }
    }
    t_cur = saved;
}

void run_block_threads(BlockState* b) {
    std::vector<std::thread> th;
    th.reserve(b->n);
    for (int t = 0; t < b->n; t++) {
        th.emplace_back([b, t] {
            t_cur = &b->ctx[t];
            run_body(b, &b->ctx[t]);
            t_cur = nullptr;
        });
    }
    for (auto& x : th) x.join();
}

// A persistent pool of helper threads for running blocks concurrently (fiber mode).
struct Pool {
    std::mutex mu;
    std::condition_variable cv, done;
    std::vector<std::thread> threads;
    std::function<void()> job;
    unsigned long long gen = 0;
    int want = 0, busy = 0;

    void run(int helpers, const std::function<void()>& f) {
        std::unique_lock<std::mutex> lk(mu);
        while ((int)threads.size() < helpers) {
            int id = (int)threads.size();
            threads.emplace_back([this, id] { loop(id); });
            threads.back().detach();
        }
        job = f;
        want = helpers;
        busy = helpers;
        gen++;
        cv.notify_all();
        lk.unlock();
        f();
        lk.lock();
        done.wait(lk, [&] { return busy == 0; });
        job = nullptr;
    }
    void loop(int id) {
        unsigned long long seen = 0;
        std::unique_lock<std::mutex> lk(mu);
        for (;;) {
            cv.wait(lk, [&] { return gen != seen; });
            seen = gen;
            if (id >= want) continue;
            std::function<void()> f = job;
            lk.unlock();
            f();
            lk.lock();
            if (--busy == 0) done.notify_all();
        }
    }
};
Pool& pool() {
    static Pool* p = new Pool();  // never destroyed: helper threads may outlive static destruction
    return *p;
}
std::mutex g_launch_mu;

}  // namespace

cudaError_t launch_body(const char* kernel, dim3 grid, dim3 block, size_t smem, KernelBody body) {
    long long nthreads = (long long)block.x * block.y * block.z;
    long long nblocks = (long long)grid.x * grid.y * grid.z;
    std::string bad;
    if (nthreads < 1 || nthreads > kMaxThreads || block.z > 64)
        bad = format("block (%u,%u,%u) has %lld threads; allowed 1..%d", block.x, block.y, block.z, nthreads, kMaxThreads);
    else if (nblocks < 1 || grid.y > 65535 || grid.z > 65535 || grid.x > 0x7fffffffu)
        bad = format("grid (%u,%u,%u) is empty or too large", grid.x, grid.y, grid.z);
    else if (smem > kSharedLimit)
        bad = format("dynamic shared memory %zu bytes exceeds %zu", smem, kSharedLimit);
    if (!bad.empty()) {
        t_last = cudaErrorInvalidConfiguration;
        t_detail = format("kernel %s: invalid launch configuration: %s", kernel, bad.c_str());
        return t_last;
    }
    Config cfg = config();
    bool threads = cfg.mode == Mode::Threads;
    std::atomic<long long> next{0};
    std::atomic<bool> stop{false};
    std::mutex err_mu;
    long long err_block = -1;
    std::string err;

    auto work = [&]() {
        Worker& w = this_worker();
        for (;;) {
            long long i = next.fetch_add(1);
            if (i >= nblocks || stop.load()) break;
            reset_block(&w.bs, kernel, grid, block, smem, body, i, threads);
            if (threads) run_block_threads(&w.bs);
            else run_block_fibers(w, cfg.schedule, cfg.seed, i);
            if (w.bs.failed) {
                std::lock_guard<std::mutex> g(err_mu);
                if (err_block < 0 || i < err_block) {
                    err_block = i;
                    err = format("kernel %s: block (%u,%u,%u): %s", kernel, w.bs.bidx.x, w.bs.bidx.y, w.bs.bidx.z, w.bs.error.c_str());
                }
                stop = true;
            }
        }
    };
    int workers = threads ? 1 : (int)std::min<long long>(cfg.workers, nblocks);
    if (workers <= 1) {
        work();
    } else {
        std::lock_guard<std::mutex> g(g_launch_mu);
        pool().run(workers - 1, work);
    }
    if (err_block >= 0) {
        t_last = cudaErrorLaunchFailure;
        t_detail = err;
        return t_last;
    }
    return cudaSuccess;
}

}  // namespace emu
}  // namespace sfd

// ------------------------------------------------------------------ CUDA runtime subset
using namespace sfd::emu;

cudaError_t cudaMalloc(void** p, size_t bytes) {
    if (!p) return t_last = cudaErrorInvalidValue;
    *p = nullptr;
    if (bytes == 0) return cudaSuccess;
    void* q = aligned_alloc(256, (bytes + 255) / 256 * 256);
    if (!q) {
        t_detail = format("cudaMalloc: out of host memory for %zu bytes", bytes);
        return t_last = cudaErrorMemoryAllocation;
    }
    *p = q;
    return cudaSuccess;
}
cudaError_t cudaFree(void* p) {
    free(p);
    return cudaSuccess;
}
cudaError_t cudaMemcpyAsync(void* dst, const void* src, size_t bytes, cudaMemcpyKind, cudaStream_t) {
    if (bytes && (!dst || !src)) return t_last = cudaErrorInvalidValue;
    if (bytes) memmove(dst, src, bytes);
    return cudaSuccess;
}
cudaError_t cudaMemsetAsync(void* dst, int value, size_t bytes, cudaStream_t) {
    if (bytes && !dst) return t_last = cudaErrorInvalidValue;
    if (bytes) memset(dst, value, bytes);
    return cudaSuccess;
}
cudaError_t cudaStreamCreate(cudaStream_t* s) {
    static char token;
    *s = &token;
    return cudaSuccess;
}
cudaError_t cudaStreamDestroy(cudaStream_t) { return cudaSuccess; }
cudaError_t cudaStreamSynchronize(cudaStream_t) { return cudaSuccess; }
cudaError_t cudaDeviceSynchronize() { return cudaSuccess; }
cudaError_t cudaGetDeviceCount(int* count) {
    *count = 1;
    return cudaSuccess;
}
cudaError_t cudaGetLastError() {
    cudaError_t e = t_last;
    t_last = cudaSuccess;
    return e;
}
cudaError_t cudaPeekAtLastError() { return t_last; }
const char* cudaGetErrorString(cudaError_t e) {
    switch (e) {
        case cudaSuccess: return "no error";
        case cudaErrorInvalidValue: return "invalid argument";
        case cudaErrorMemoryAllocation: return "out of memory";
        case cudaErrorInvalidConfiguration: return "invalid configuration argument";
        case cudaErrorNoDevice: return "no CUDA-capable device is detected";
        case cudaErrorLaunchFailure: return "unspecified launch failure";
        case cudaErrorNotSupported: return "operation not supported";
    }
    return "unknown error";
}
