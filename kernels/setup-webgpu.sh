#!/usr/bin/env bash
# Installs the Vulkan software driver (Mesa's lavapipe) that dawn.node (npm
# `webgpu@0.6.2`) needs to get a WebGPU adapter on a machine with no GPU.
#
# Why backports: bookworm's own Mesa 22.3 lavapipe lacks Vulkan features Dawn
# requires, so dawn.node finds no adapter; Mesa 25 from bookworm-backports
# works (kernels/gpujs-notes.md, section 1: llvmpipe, Mesa 25.0.7-2~bpo12+1).
#
# Run as root; idempotent and non-interactive (CI calls it on every run).
# Usage: sudo bash kernels/setup-webgpu.sh
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
  echo "setup-webgpu: run as root (apt-get needs it)" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
list=/etc/apt/sources.list.d/bookworm-backports.sources

codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
if [ "$codename" != "bookworm" ]; then
  echo "setup-webgpu: written for Debian 12 (bookworm), found '${codename:-unknown}'; installing from the default suite" >&2
  suite=()
else
  # Add backports only when no existing source already names it.
  if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    cat >"$list" <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    echo "setup-webgpu: added $list"
  fi
  suite=(-t bookworm-backports)
fi

# Skip apt entirely when the backported driver is already in place.
have=$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null || true)
case "$have" in
  25.*|2[6-9].*|[3-9][0-9].*)
    echo "setup-webgpu: mesa-vulkan-drivers $have already installed"
    ;;
  *)
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${suite[@]}" mesa-vulkan-drivers libvulkan1 >/dev/null
    echo "setup-webgpu: installed mesa-vulkan-drivers $(dpkg-query -W -f='${Version}' mesa-vulkan-drivers)"
    ;;
esac

# The lavapipe ICD must be visible to the Vulkan loader.
if ! ls /usr/share/vulkan/icd.d/lvp_icd*.json >/dev/null 2>&1; then
  echo "setup-webgpu: no lavapipe ICD under /usr/share/vulkan/icd.d after install" >&2
  exit 1
fi

# Smoke test when run from a checkout with node_modules: ask dawn.node for an adapter.
here=$(cd "$(dirname "$0")/.." && pwd)
if command -v node >/dev/null 2>&1 && [ -d "$here/node_modules/webgpu" ]; then
  export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$(mktemp -d)}
  (cd "$here" && node --input-type=module -e "
    import { create, globals } from 'webgpu'
    Object.assign(globalThis, globals)
    const a = await create([]).requestAdapter()
    if (!a) { console.error('setup-webgpu: dawn.node found no adapter'); process.exit(1) }
    const i = a.info ?? {}
    console.log('setup-webgpu: adapter ' + [i.vendor, i.architecture, i.description].filter(Boolean).join(' / '))
  " 2>&1 | { grep -v 'artificially reduced' || true; }; exit "${PIPESTATUS[0]}")
fi
