{
  "targets": [
    {
      "target_name": "falconet_probe",
      "sources": [
        "native/probe/addon.cc",
        "native/probe/probe_object.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "native/probe"
      ],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_CPP_EXCEPTIONS"
      ],
      "cflags!": [
        "-fno-exceptions"
      ],
      "cflags_cc!": [
        "-fno-exceptions"
      ],
      "cflags_cc": [
        "-std=c++17",
        "-Wall"
      ],
      "libraries": [
        "-lbpf",
        "-lelf",
        "-lz"
      ]
    },
    {
      "target_name": "falconet_unix_dgram",
      "sources": [
        "native/unixdgram/unix_dgram.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")"
      ],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_DISABLE_CPP_EXCEPTIONS"
      ],
      "cflags_cc": [
        "-std=c++17",
        "-Wall"
      ]
    }
  ]
}
