// The bound Probe object: open/load/attach through the libbpf skeleton, consume the ring buffer on a
// native thread, and hand records to JS in batches (one Buffer holding many records) through a
// ThreadSafeFunction. Policy (which programs, which types, what to exclude, ia32 or not) arrives from
// the TS wrapper, src/engine/probe/probe.ts. A failed start leaves nothing attached or loaded; a
// failed ring poll is reported to JS (onError) rather than leaving the probe running blind.
#include <napi.h>
#include <linux/types.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <fstream>
#include <functional>
#include <memory>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "events.h"
#include "probe.skel.h"
#include "probe_object.h"

namespace {

// libbpf's messages (including the verifier log of a failed load) are kept here so an error can
// save them to the file the error message names.
std::mutex g_log_mu;
std::string g_log;

int capture_print(enum libbpf_print_level level, const char *fmt, va_list args) {
  if (level == LIBBPF_DEBUG) return 0;
  char *msg = nullptr;
  int n = vasprintf(&msg, fmt, args);
  if (n < 0) return n;
  std::lock_guard<std::mutex> lock(g_log_mu);
  if (g_log.size() < (16u << 20)) g_log.append(msg, n);
  free(msg);
  return n;
}

Napi::Error probe_error(Napi::Env env, const char *code, const std::string &msg) {
  Napi::Error e = Napi::Error::New(env, msg);
  e.Set("code", Napi::String::New(env, code));
  return e;
}

std::string save_log(const std::string &path) {
  std::lock_guard<std::mutex> lock(g_log_mu);
  std::ofstream out(path, std::ios::trunc);
  out << g_log;
  return path;
}

// libbpf finds a tracepoint's id under tracefs; mount it if the system has not.
void ensure_tracefs() {
  struct stat st;
  if (stat("/sys/kernel/tracing/events", &st) == 0 || stat("/sys/kernel/debug/tracing/events", &st) == 0) return;
  mount("nodev", "/sys/kernel/tracing", "tracefs", 0, nullptr);
}

using Batch = std::vector<uint8_t>;

// events.h's syscall table, for r_sys_exit's slots: x_<name> -> its x86-64 and ia32 numbers.
struct SyscallNrs { int nr64, nr32; };
const std::map<std::string, SyscallNrs> &syscall_nrs() {
  static const std::map<std::string, SyscallNrs> m = {
#define FN_CXX_ENTRY(name, nr64, nr32) {"x_" #name, {nr64, nr32}},
      FN_SYSCALL_LIST(FN_CXX_ENTRY)
#undef FN_CXX_ENTRY
  };
  return m;
}

const char *const kRawProgram = "r_sys_exit";

class Probe : public Napi::ObjectWrap<Probe> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "Probe", {
      InstanceMethod<&Probe::Stop>("stop"),
      InstanceMethod<&Probe::Stats>("stats"),
      InstanceMethod<&Probe::SetPrograms>("setPrograms"),
    });
  }

  // new Probe({ programs, typeIds, ringBytes, excludePids, selfPidNs?, cgroupSsid?, batchBytes, batchMs, maxInflight, logPath, loadAll?, ia32? }, onBatch, onError?)
  // loadAll: load every program into the kernel (attaching only `programs`), so that setPrograms can
  // later attach others without reopening the probe (a rules reload).
  // ia32: also run `programs` for ia32 (compat) syscalls, through r_sys_exit.
  // onError(message): the ring buffer could not be polled; the probe delivers nothing more.
  Probe(const Napi::CallbackInfo &info) : Napi::ObjectWrap<Probe>(info), env_(info.Env()) {
    Napi::Env env = info.Env();
    Napi::Object o = info[0].As<Napi::Object>();
    batch_bytes_ = o.Get("batchBytes").As<Napi::Number>().Uint32Value();
    batch_ms_ = o.Get("batchMs").As<Napi::Number>().Uint32Value();
    max_inflight_ = o.Get("maxInflight").As<Napi::Number>().Uint32Value();
    std::string log_path = o.Get("logPath").As<Napi::String>().Utf8Value();
    {
      std::lock_guard<std::mutex> lock(g_log_mu);
      g_log.clear();
    }
    libbpf_set_print(capture_print);

    skel_ = probe_bpf::open();
    if (!skel_) {
      int err = errno;
      probe_error(env, err == ENOENT || err == ESRCH ? "ENOBTF" : "EOPEN",
                  std::string("cannot open the BPF object: ") + strerror(err) + " (libbpf log: " + save_log(log_path) + ")")
          .ThrowAsJavaScriptException();
      return;
    }
    bpf_map__set_max_entries(skel_->maps.rb, o.Get("ringBytes").As<Napi::Number>().Uint32Value());
    // excludePids are pids of this pid namespace; when it is not the host's, the probe matches them there.
    Napi::Value ns = o.Get("selfPidNs");
    if (ns.IsObject()) {
      skel_->rodata->self_pidns_dev = ns.As<Napi::Object>().Get("dev").As<Napi::Number>().Int64Value();
      skel_->rodata->self_pidns_ino = ns.As<Napi::Object>().Get("ino").As<Napi::Number>().Int64Value();
    }
    // The cgroup hierarchy whose ids the records carry: a v1 controller's index, or -1 for the unified one.
    Napi::Value ssid = o.Get("cgroupSsid");
    if (ssid.IsNumber()) skel_->rodata->cgroup_ssid = ssid.As<Napi::Number>().Int32Value();

    std::set<std::string> wanted_progs;
    Napi::Array progs = o.Get("programs").As<Napi::Array>();
    for (uint32_t i = 0; i < progs.Length(); i++) wanted_progs.insert(progs.Get(i).As<Napi::String>().Utf8Value());
    for (const auto &name : wanted_progs) {
      if (!bpf_object__find_program_by_name(skel_->obj, name.c_str())) {
        probe_error(env, "EUNKNOWNPROG", "the BPF object has no program named " + name).ThrowAsJavaScriptException();
        return;
      }
    }
    Napi::Value load_all = o.Get("loadAll");
    load_all_ = load_all.IsBoolean() && load_all.As<Napi::Boolean>().Value();
    Napi::Value ia32 = o.Get("ia32");
    ia32_ = ia32.IsBoolean() && ia32.As<Napi::Boolean>().Value();
    bpf_program *prog;
    bpf_object__for_each_program(prog, skel_->obj) {
      // r_sys_exit is tiny: always loaded, attached only when some slot needs it
      const char *pname = bpf_program__name(prog);
      bpf_program__set_autoload(prog, load_all_ || wanted_progs.count(pname) > 0 || strcmp(pname, kRawProgram) == 0);
    }

    // From here on a failure undoes everything before it surfaces (Fail).
    if (probe_bpf::load(skel_)) {
      int err = errno;
      std::string path = save_log(log_path);
      if (err == EPERM || err == EACCES)
        Fail(env, "EPERM", "loading the BPF programs was refused (" + std::string(strerror(err)) +
             "): run as root or grant CAP_BPF, CAP_PERFMON and CAP_SYS_RESOURCE; libbpf log: " + path);
      else
        Fail(env, "EVERIFIER", "the kernel rejected the BPF programs (" + std::string(strerror(err)) +
             "); verifier log saved to " + path);
      return;
    }

    SetWanted(o.Get("typeIds").As<Napi::Array>());
    uint8_t one = 1;
    Napi::Array pids = o.Get("excludePids").As<Napi::Array>();
    for (uint32_t i = 0; i < pids.Length(); i++) {
      uint32_t pid = pids.Get(i).As<Napi::Number>().Uint32Value();
      bpf_map__update_elem(skel_->maps.excluded, &pid, sizeof pid, &one, sizeof one, BPF_ANY);
    }

    ensure_tracefs();
    log_path_ = log_path;
    for (const auto &name : wanted_progs) {
      std::string err = Attach(name);
      if (!err.empty()) { Fail(env, "EATTACH", err); return; }
    }
    std::string err = SetRawSlots(wanted_progs);
    if (!err.empty()) { Fail(env, "EATTACH", err); return; }

    rb_ = ring_buffer__new(bpf_map__fd(skel_->maps.rb), &Probe::OnRecord, this, nullptr);
    if (!rb_) {
      Fail(env, "ERINGBUF", std::string("cannot open the ring buffer: ") + strerror(errno));
      return;
    }
    tsfn_ = Napi::ThreadSafeFunction::New(env, info[1].As<Napi::Function>(), "falconet-probe", 0, 1);
    if (info.Length() > 2 && info[2].IsFunction())
      err_tsfn_ = Napi::ThreadSafeFunction::New(env, info[2].As<Napi::Function>(), "falconet-probe-error", 0, 1);
    cur_.reserve(batch_bytes_ + FN_REC_MAX);
    running_ = true;
    poller_ = std::thread([this] { Poll(); });
    cleanup_ = env.AddCleanupHook(std::function<void()>([this] { has_cleanup_ = false; Shutdown(); }));
    has_cleanup_ = true;
  }

  ~Probe() override {
    if (has_cleanup_) cleanup_.Remove(env_);
    Shutdown();
  }

 private:
  static int OnRecord(void *ctx, void *data, size_t size) {
    auto *self = static_cast<Probe *>(ctx);
    const uint8_t *p = static_cast<const uint8_t *>(data);
    if (self->cur_.empty()) self->first_at_ = std::chrono::steady_clock::now();
    self->cur_.insert(self->cur_.end(), p, p + size);
    self->cur_records_++;
    self->received_.fetch_add(1, std::memory_order_relaxed);
    if (self->cur_.size() >= self->batch_bytes_) self->Flush();
    return 0;
  }

  void Poll() {
    int timeout = batch_ms_ > 0 ? static_cast<int>(batch_ms_) : 1;
    while (running_.load()) {
      // The probe writes without waking us (except when the ring fills up), so a timeout is the
      // normal way out of poll; consume whatever accumulated either way.
      int n = ring_buffer__poll(rb_, timeout);
      if (n < 0 && n != -EINTR) {
        // Polling again would fail the same way: say so, and let JS stop the monitor.
        ReportError(std::string("polling the ring buffer failed: ") + strerror(-n));
        break;
      }
      ring_buffer__consume(rb_);
      if (!cur_.empty() && std::chrono::steady_clock::now() - first_at_ >= std::chrono::milliseconds(batch_ms_)) Flush();
    }
    ring_buffer__consume(rb_);
    Flush();
  }

  // Calls onError(message) on the JS thread; without an onError the error is only in stats().error.
  void ReportError(const std::string &msg) {
    {
      std::lock_guard<std::mutex> lock(error_mu_);
      error_ = msg;
    }
    if (!err_tsfn_) return;
    auto *m = new std::string(msg);
    napi_status st = err_tsfn_.NonBlockingCall(m, [](Napi::Env env, Napi::Function cb, std::string *s) {
      std::unique_ptr<std::string> owned(s);
      if (env == nullptr) return;
      cb.Call({Napi::String::New(env, *owned)});
    });
    if (st != napi_ok) delete m;
  }

  // Hands the current batch to JS, or drops it (counted) when max_inflight batches wait already.
  void Flush() {
    if (cur_.empty()) return;
    if (inflight_->load() >= max_inflight_) {
      batch_drops_.fetch_add(cur_records_, std::memory_order_relaxed);
    } else {
      auto *batch = new Batch(std::move(cur_));
      inflight_->fetch_add(1);
      batches_.fetch_add(1, std::memory_order_relaxed);
      // The counter is shared, not a member: a queued call may run after this object is gone.
      std::shared_ptr<std::atomic<uint32_t>> inflight = inflight_;
      napi_status st = tsfn_.NonBlockingCall(batch, [inflight](Napi::Env env, Napi::Function cb, Batch *b) {
        inflight->fetch_sub(1);
        if (env == nullptr) { delete b; return; }
        // The Buffer takes the batch's memory without a copy and frees it when collected.
        Napi::Buffer<uint8_t> buf = Napi::Buffer<uint8_t>::New(env, b->data(), b->size(), [](Napi::Env, uint8_t *, Batch *owned) { delete owned; }, b);
        try {
          cb.Call({buf});
        } catch (const Napi::Error &e) {
          e.ThrowAsJavaScriptException(); // surfaces as an uncaught exception in JS, like any callback's
        }
      });
      if (st != napi_ok) { inflight_->fetch_sub(1); batch_drops_.fetch_add(cur_records_); delete batch; }
      cur_ = Batch();
    }
    cur_.clear();
    cur_.reserve(batch_bytes_ + FN_REC_MAX);
    cur_records_ = 0;
  }

  // Attaches one loaded program; "" when done (or when its tracepoint does not exist here, which
  // is recorded in missing_: SetRawSlots then serves it through r_sys_exit if it can), else the error.
  std::string Attach(const std::string &name) {
    if (links_.count(name)) return "";
    bpf_program *prog = bpf_object__find_program_by_name(skel_->obj, name.c_str());
    if (!prog || !bpf_program__autoload(prog)) return "the program " + name + " was not loaded (the probe was opened without loadAll)";
    bpf_link *link = bpf_program__attach(prog);
    if (!link) {
      int err = errno;
      // A tracepoint this kernel does not have (e.g. init_module without CONFIG_MODULES).
      if (err == ENOENT) {
        missing_.insert(name);
        return "";
      }
      return "cannot attach " + name + ": " + strerror(err) + " (libbpf log: " + save_log(log_path_) + ")";
    }
    links_[name] = link;
    return "";
  }

  // r_sys_exit's slots for these wanted programs: the x86-64 nr of each whose own tracepoint is
  // missing here, and, with ia32, the ia32 nr of each that has one. New slots are filled (and
  // r_sys_exit attached) before stale ones are cleared (and r_sys_exit detached once none is left),
  // so a reload leaves no gap. Also recomputes unavailable_: missing and not served.
  std::string SetRawSlots(const std::set<std::string> &want) {
    std::map<uint32_t, std::string> slots;
    for (const auto &name : want) {
      auto it = syscall_nrs().find(name);
      if (it == syscall_nrs().end()) continue;
      if (missing_.count(name) && it->second.nr64 >= 0) slots[it->second.nr64] = name;
      if (ia32_ && it->second.nr32 >= 0) slots[FN_IA32_SLOT + it->second.nr32] = name;
    }
    bool raw_ok = true;
    if (!slots.empty() && !raw_link_) {
      bpf_program *raw = bpf_object__find_program_by_name(skel_->obj, kRawProgram);
      raw_link_ = raw ? bpf_program__attach(raw) : nullptr;
      if (!raw_link_) {
        int err = errno;
        if (err != ENOENT) return std::string("cannot attach ") + kRawProgram + ": " + strerror(err) + " (libbpf log: " + save_log(log_path_) + ")";
        raw_ok = false; // no raw_syscalls tracepoint either (CONFIG_FTRACE_SYSCALLS off): nothing to fall back on
      }
    }
    int map_fd = bpf_map__fd(skel_->maps.raw_targets);
    if (raw_ok) {
      for (const auto &s : slots) {
        int prog_fd = bpf_program__fd(bpf_object__find_program_by_name(skel_->obj, s.second.c_str()));
        if (bpf_map_update_elem(map_fd, &s.first, &prog_fd, BPF_ANY))
          return "cannot route syscall slot " + std::to_string(s.first) + " to " + s.second + ": " + strerror(errno);
      }
    }
    for (uint32_t slot : raw_slots_)
      if (!raw_ok || !slots.count(slot)) bpf_map_delete_elem(map_fd, &slot);
    raw_slots_.clear();
    if (raw_ok)
      for (const auto &s : slots) raw_slots_.insert(s.first);
    if (raw_slots_.empty() && raw_link_) { bpf_link__destroy(raw_link_); raw_link_ = nullptr; }
    unavailable_.clear();
    for (const auto &name : want) {
      auto it = syscall_nrs().find(name);
      bool served = raw_ok && it != syscall_nrs().end() && it->second.nr64 >= 0;
      if (missing_.count(name) && !served) unavailable_.push_back(name);
    }
    return "";
  }

  // Undoes a start that failed part-way (links, ring, the loaded object) and throws.
  void Fail(Napi::Env env, const char *code, const std::string &msg) {
    Shutdown();
    probe_error(env, code, msg).ThrowAsJavaScriptException();
  }

  // The wanted map holds exactly these type ids.
  void SetWanted(Napi::Array types) {
    std::set<uint32_t> ids;
    for (uint32_t i = 0; i < types.Length(); i++) ids.insert(types.Get(i).As<Napi::Number>().Uint32Value());
    // New ids first, old ones cleared after: a type both sets share is never off in between.
    uint8_t one = 1, zero = 0;
    for (uint32_t id : ids) bpf_map__update_elem(skel_->maps.wanted, &id, sizeof id, &one, sizeof one, BPF_ANY);
    for (uint32_t id = 0; id < FN_EVT_MAX; id++)
      if (!ids.count(id)) bpf_map__update_elem(skel_->maps.wanted, &id, sizeof id, &zero, sizeof zero, BPF_ANY);
  }

  // setPrograms(programs, typeIds): the probe captures these from now on, without detaching: new
  // programs are attached and their types wanted first, then what is no longer needed is dropped.
  Napi::Value SetPrograms(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    if (stopped_ || !skel_) {
      probe_error(env, "ESTOPPED", "the probe is stopped").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    std::set<std::string> want;
    Napi::Array progs = info[0].As<Napi::Array>();
    for (uint32_t i = 0; i < progs.Length(); i++) want.insert(progs.Get(i).As<Napi::String>().Utf8Value());
    std::set<std::string> had;
    for (const auto &l : links_) had.insert(l.first);
    std::string err;
    for (const auto &name : want) {
      err = Attach(name);
      if (!err.empty()) break;
    }
    if (err.empty()) err = SetRawSlots(want);
    if (!err.empty()) {
      // Back to what ran before: detach what this call attached.
      for (auto it = links_.begin(); it != links_.end();) {
        if (had.count(it->first)) { ++it; continue; }
        bpf_link__destroy(it->second);
        it = links_.erase(it);
      }
      probe_error(env, "EATTACH", err).ThrowAsJavaScriptException();
      return env.Undefined();
    }
    SetWanted(info[1].As<Napi::Array>());
    for (auto it = links_.begin(); it != links_.end();) {
      if (want.count(it->first)) { ++it; continue; }
      bpf_link__destroy(it->second);
      it = links_.erase(it);
    }
    return env.Undefined();
  }

  void Shutdown() {
    if (stopped_) return;
    stopped_ = true;
    running_ = false;
    if (poller_.joinable()) poller_.join();
    for (auto &l : links_) bpf_link__destroy(l.second);
    links_.clear();
    if (raw_link_) { bpf_link__destroy(raw_link_); raw_link_ = nullptr; }
    if (rb_) { ring_buffer__free(rb_); rb_ = nullptr; }
    if (skel_) {
      ring_drops_final_ = RingDrops();
      probe_bpf::destroy(skel_);
      skel_ = nullptr;
    }
    if (tsfn_) tsfn_.Release();
    if (err_tsfn_) err_tsfn_.Release();
  }

  uint64_t RingDrops() {
    if (!skel_) return ring_drops_final_;
    int ncpu = libbpf_num_possible_cpus();
    std::vector<uint64_t> v(ncpu > 0 ? ncpu : 1);
    uint32_t zero = 0;
    uint64_t sum = 0;
    if (bpf_map__lookup_elem(skel_->maps.drops, &zero, sizeof zero, v.data(), v.size() * sizeof(uint64_t), 0) == 0)
      for (uint64_t x : v) sum += x;
    return sum;
  }

  Napi::Value Stop(const Napi::CallbackInfo &info) {
    Shutdown();
    return info.Env().Undefined();
  }

  Napi::Value Stats(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    Napi::Object s = Napi::Object::New(env);
    s.Set("received", Napi::Number::New(env, static_cast<double>(received_.load())));
    s.Set("ringDrops", Napi::Number::New(env, static_cast<double>(RingDrops())));
    s.Set("batchDrops", Napi::Number::New(env, static_cast<double>(batch_drops_.load())));
    s.Set("batches", Napi::Number::New(env, static_cast<double>(batches_.load())));
    Napi::Array un = Napi::Array::New(env, unavailable_.size());
    for (size_t i = 0; i < unavailable_.size(); i++) un.Set(i, Napi::String::New(env, unavailable_[i]));
    s.Set("unavailable", un);
    Napi::Array raw = Napi::Array::New(env, raw_slots_.size());
    uint32_t k = 0;
    for (uint32_t slot : raw_slots_) raw.Set(k++, Napi::Number::New(env, slot));
    s.Set("rawSlots", raw);
    {
      std::lock_guard<std::mutex> lock(error_mu_);
      if (!error_.empty()) s.Set("error", Napi::String::New(env, error_));
    }
    return s;
  }

  probe_bpf *skel_ = nullptr;
  ring_buffer *rb_ = nullptr;
  std::map<std::string, bpf_link *> links_;
  std::string log_path_;
  bool load_all_ = false;
  bool ia32_ = false;
  std::set<std::string> missing_;      // wanted programs whose own tracepoint this kernel lacks
  std::vector<std::string> unavailable_; // ...and that r_sys_exit cannot serve either
  bpf_link *raw_link_ = nullptr;
  std::set<uint32_t> raw_slots_;       // filled slots of raw_targets
  std::mutex error_mu_;
  std::string error_;                  // the poll error, once there was one
  Napi::ThreadSafeFunction tsfn_, err_tsfn_;
  std::thread poller_;
  std::atomic<bool> running_{false};
  bool stopped_ = false;
  bool has_cleanup_ = false;
  uint32_t batch_bytes_ = 1 << 20, batch_ms_ = 20, max_inflight_ = 64;
  Batch cur_;
  uint64_t cur_records_ = 0;
  std::chrono::steady_clock::time_point first_at_;
  std::atomic<uint64_t> received_{0}, batch_drops_{0}, batches_{0};
  std::shared_ptr<std::atomic<uint32_t>> inflight_ = std::make_shared<std::atomic<uint32_t>>(0);
  Napi::Env::CleanupHook<std::function<void()>> cleanup_;
  Napi::Env env_;
  uint64_t ring_drops_final_ = 0;
};

}  // namespace

namespace falconet {

Napi::Function ProbeClass(Napi::Env env) { return Probe::Init(env); }

// The BPF object's program names (no kernel involved): the tests check programs.ts against them.
Napi::Value ProgramNames(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  Napi::Array a = Napi::Array::New(env);
  probe_bpf *skel = probe_bpf::open();
  if (!skel) return a;
  uint32_t i = 0;
  bpf_program *prog;
  bpf_object__for_each_program(prog, skel->obj) a.Set(i++, Napi::String::New(env, bpf_program__name(prog)));
  probe_bpf::destroy(skel);
  return a;
}

}  // namespace falconet
