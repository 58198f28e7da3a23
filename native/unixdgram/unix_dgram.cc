// Datagrams to a local unix socket (/dev/log), which Node's dgram module cannot send: open a
// connected, non-blocking SOCK_DGRAM socket, send one message, close. Only binds the syscalls;
// errors come back as negative errno values for the TS side (src/outputs/unix-dgram.ts) to name.
#include <napi.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace {

// connect(path) -> fd >= 0, or -errno.
Napi::Value Connect(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  std::string path = info[0].As<Napi::String>().Utf8Value();
  struct sockaddr_un addr;
  std::memset(&addr, 0, sizeof(addr));
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof(addr.sun_path)) return Napi::Number::New(env, -ENAMETOOLONG);
  std::memcpy(addr.sun_path, path.c_str(), path.size());
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return Napi::Number::New(env, -errno);
  if (connect(fd, reinterpret_cast<struct sockaddr *>(&addr), sizeof(addr)) < 0) {
    int e = errno;
    close(fd);
    return Napi::Number::New(env, -e);
  }
  return Napi::Number::New(env, fd);
}

// send(fd, buffer) -> 0, or -errno (EAGAIN: the reader's queue is full; ECONNREFUSED: it went away).
Napi::Value Send(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int fd = info[0].As<Napi::Number>().Int32Value();
  Napi::Buffer<char> buf = info[1].As<Napi::Buffer<char>>();
  ssize_t n = send(fd, buf.Data(), buf.Length(), MSG_DONTWAIT | MSG_NOSIGNAL);
  return Napi::Number::New(env, n < 0 ? -errno : 0);
}

Napi::Value Close(const Napi::CallbackInfo &info) {
  close(info[0].As<Napi::Number>().Int32Value());
  return info.Env().Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("connect", Napi::Function::New(env, Connect));
  exports.Set("send", Napi::Function::New(env, Send));
  exports.Set("close", Napi::Function::New(env, Close));
  return exports;
}

}  // namespace

NODE_API_MODULE(falconet_unix_dgram, Init)
