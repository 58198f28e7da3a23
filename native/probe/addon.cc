// The module entry point: the Probe class plus what the TS side checks itself against (the record
// layout, event list and syscall table of events.h) and the clock offset the decoder needs.
#include <napi.h>
#include <linux/types.h>
#include <time.h>

#include <cstddef>
#include <cstdint>

#include "events.h"
#include "probe_object.h"

namespace {

// The layout as this header defines it: the TS decoder's constants are tested against these.
Napi::Value Layout(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  auto set = [&](const char *k, size_t v) { o.Set(k, Napi::Number::New(env, static_cast<double>(v))); };
  set("hdrSize", sizeof(struct fn_event_hdr));
  set("offTs", offsetof(struct fn_event_hdr, ts));
  set("offLen", offsetof(struct fn_event_hdr, len));
  set("offType", offsetof(struct fn_event_hdr, type));
  set("offNparams", offsetof(struct fn_event_hdr, nparams));
  set("offTid", offsetof(struct fn_event_hdr, tid));
  set("offPid", offsetof(struct fn_event_hdr, pid));
  set("offPpid", offsetof(struct fn_event_hdr, ppid));
  set("offUid", offsetof(struct fn_event_hdr, uid));
  set("offGid", offsetof(struct fn_event_hdr, gid));
  set("offLoginuid", offsetof(struct fn_event_hdr, loginuid));
  set("offComm", offsetof(struct fn_event_hdr, comm));
  set("commLen", FN_COMM_LEN);
  set("offCgroupId", offsetof(struct fn_event_hdr, cgroup_id));
  set("offRes", offsetof(struct fn_event_hdr, res));
  set("offFlags", offsetof(struct fn_event_hdr, flags));
  set("maxParams", FN_MAX_PARAMS);
  set("recMax", FN_REC_MAX);
  set("pathMax", FN_PATH_MAX);
  set("argvMax", FN_ARGV_MAX);
  set("sockaddrMax", FN_SOCKADDR_MAX);
  set("flagTruncated", FN_F_TRUNCATED);
  return o;
}

Napi::Value EventTypes(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  Napi::Array a = Napi::Array::New(env);
  uint32_t i = 0;
#define FN_JS_ENTRY(E, name, id, np)                           \
  {                                                            \
    Napi::Object t = Napi::Object::New(env);                   \
    t.Set("name", Napi::String::New(env, #name));              \
    t.Set("id", Napi::Number::New(env, id));                   \
    t.Set("nparams", Napi::Number::New(env, np));              \
    a.Set(i++, t);                                             \
  }
  FN_EVENT_LIST(FN_JS_ENTRY)
#undef FN_JS_ENTRY
  return a;
}

// events.h's syscall table: the tests check it against the kernel headers, planning reads it.
Napi::Value SyscallTable(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  Napi::Array a = Napi::Array::New(env);
  uint32_t i = 0;
#define FN_JS_NR_ENTRY(name, nr64, nr32)                       \
  {                                                            \
    Napi::Object t = Napi::Object::New(env);                   \
    t.Set("name", Napi::String::New(env, #name));              \
    t.Set("nr64", Napi::Number::New(env, nr64));               \
    t.Set("nr32", Napi::Number::New(env, nr32));               \
    a.Set(i++, t);                                             \
  }
  FN_SYSCALL_LIST(FN_JS_NR_ENTRY)
#undef FN_JS_NR_ENTRY
  return a;
}

// CLOCK_REALTIME - CLOCK_BOOTTIME in ns: added to a record's boot-time ts gives epoch ns.
Napi::Value BootToEpochNs(const Napi::CallbackInfo &info) {
  struct timespec rt, bt;
  clock_gettime(CLOCK_REALTIME, &rt);
  clock_gettime(CLOCK_BOOTTIME, &bt);
  int64_t d = (static_cast<int64_t>(rt.tv_sec) - bt.tv_sec) * 1000000000LL + (rt.tv_nsec - bt.tv_nsec);
  return Napi::BigInt::New(info.Env(), d);
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("Probe", falconet::ProbeClass(env));
  exports.Set("layout", Napi::Function::New(env, Layout));
  exports.Set("eventTypes", Napi::Function::New(env, EventTypes));
  exports.Set("programNames", Napi::Function::New(env, falconet::ProgramNames));
  exports.Set("syscallTable", Napi::Function::New(env, SyscallTable));
  exports.Set("bootToEpochNs", Napi::Function::New(env, BootToEpochNs));
  return exports;
}

}  // namespace

NODE_API_MODULE(falconet_probe, Init)
