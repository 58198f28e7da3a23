#!/usr/bin/env bash
# Builds the falconet container image (as root, with a dockerd): first, once, a Debian bookworm base
# made here with debootstrap and `docker import` (no image registry needed), then the Dockerfile on
# it. The image is tagged falconet:<hash of what goes into it>, and also falconet:latest; when that
# tag exists already nothing is rebuilt, and older hash tags are removed. Prints the tag on stdout
# (the build's log goes to stderr).
# Usage: sudo bash scripts/build-image.sh [--force | --base]
# --base makes only the Debian base (the e2e tests run it as their Debian test image) and prints its tag.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

BASE=falconet-base:bookworm
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

# What the Dockerfile copies in (the same allowlist as .dockerignore), tests left out: a change to
# any of these files makes a new tag, a change elsewhere (tests, docs) does not.
inputs=(Dockerfile .dockerignore package.json package-lock.json binding.gyp tsconfig.json falconet.yaml native src rules)
files() {
  if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files -z --cached --others --exclude-standard -- "${inputs[@]}" ':!:*.test.ts' ':!:src/**/testing/**'
  else # a source tarball: the same files, less what .gitignore would leave out
    find "${inputs[@]}" -type f ! -name '*.test.ts' ! -path 'src/*/testing/*' ! -name vmlinux.h ! -name '*.o' \
      ! -name '*.skel.h' ! -name '*.generated.ts' -print0 2>/dev/null || true
  fi
}
hash=$(files | sort -z | xargs -0 -r sha256sum | sha256sum | cut -c1-16)
tag="falconet:$hash"

if [ "${1:-}" != "--force" ] && [ "${1:-}" != "--base" ] && docker image inspect "$tag" >/dev/null 2>&1; then
  echo "$tag"
  exit 0
fi

if ! docker image inspect "$BASE" >/dev/null 2>&1; then
  install_missing debootstrap >&2
  root=$(mktemp -d)
  trap 'rm -rf "$root"' EXIT
  debootstrap --variant=minbase bookworm "$root" "$MIRROR" >&2
  # Keep docs, man pages and translations out of the base and of every package installed on it later.
  cat >"$root/etc/dpkg/dpkg.cfg.d/01-slim" <<'EOF'
path-exclude=/usr/share/doc/*
path-include=/usr/share/doc/*/copyright
path-exclude=/usr/share/man/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/locale/*
path-include=/usr/share/locale/locale.alias
EOF
  printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' >"$root/etc/apt/apt.conf.d/01-slim"
  find "$root/usr/share/doc" -mindepth 2 ! -name copyright ! -type d -delete
  rm -rf "$root"/usr/share/{man,info}/* "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb
  find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
  tar -C "$root" -c . | docker import --change 'CMD ["/bin/bash"]' - "$BASE" >&2
  rm -rf "$root"
  trap - EXIT
fi
if [ "${1:-}" = "--base" ]; then
  echo "$BASE"
  exit 0
fi

# The CAs this shell's Node trusts (a TLS-intercepting proxy's, say) are trusted by npm in the build
# stages too (BUILD_CA_CERTS=FILE to name others); the runtime image does not get them.
ca=${BUILD_CA_CERTS:-${NODE_EXTRA_CA_CERTS:-}}
rm -f .build-ca.pem
trap 'rm -f .build-ca.pem' EXIT
if [ -n "$ca" ] && [ -r "$ca" ]; then cp "$ca" .build-ca.pem; fi

# --network host: this host's dockerd runs without a bridge; the build reaches the Debian mirror and
# the npm registry through the host's network.
docker build --network host --force-rm --build-arg BASE="$BASE" -t "$tag" -t falconet:latest . >&2

# Earlier builds' tags (and the layers only they used) go; one still used by a container stays.
docker images falconet --format '{{.Tag}}' | grep -v -x -e latest -e "$hash" | sed 's/^/falconet:/' |
  xargs -r docker rmi >/dev/null 2>&1 || true
echo "$tag"
