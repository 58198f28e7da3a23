// The Probe class (probe_object.cc), for the module entry point (addon.cc).
#ifndef FALCONET_PROBE_OBJECT_H
#define FALCONET_PROBE_OBJECT_H
#include <napi.h>

namespace falconet {
Napi::Function ProbeClass(Napi::Env env);
// The BPF object's program names, read from the embedded object without loading it.
Napi::Value ProgramNames(const Napi::CallbackInfo &info);
}  // namespace falconet

#endif
