#!/usr/bin/env bash
# Builds the WebAssembly packages: wasm/pkg (browsers, ES module) and wasm/pkg-node (Node) with
# every step, and wasm/pkg-export (browsers) with what the export tool uses.
# Debian's rustc-web builds the standard library for wasm32 from source (rustup targets cannot be
# downloaded here); wasm-bindgen-cli of the pinned version post-processes the module.
# Installs what it needs, idempotently.
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(sed -n 's/^wasm-bindgen = "=\(.*\)"$/\1/p' wasm/Cargo.toml)
if ! dpkg -s rustc-web rust-web-src lld >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq rustc-web cargo-web rust-web-src lld
fi
if ! wasm-bindgen --version 2>/dev/null | grep -q "$version"; then
  cargo install --quiet wasm-bindgen-cli --version "$version"
fi
# simd128: SHA-256 then runs on WebAssembly's 128-bit vectors (sha2's wasm32 backend); every
# current browser and Node since 16 has them. panic=immediate-abort: the core returns errors as
# values, so a panic is a bug; it traps without the formatting machinery (about 40 KB).
# samkoer_wasm_speed: the module is optimised for size except the hashing loops (core/src/lib.rs).
module=target/wasm/wasm32-unknown-unknown/wasm/samkoer_wasm.wasm
build() {
  RUSTC_BOOTSTRAP=1 RUSTC=/usr/bin/rustc CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=wasm-ld \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-C target-feature=+simd128 -Zunstable-options -Cpanic=immediate-abort --cfg samkoer_wasm_speed" \
    /usr/bin/cargo build --quiet --profile wasm --target wasm32-unknown-unknown -Zbuild-std=std,panic_abort \
    -p samkoer-wasm --target-dir target/wasm "$@"
}
# Every step (the tools and Node), then only what the export tool uses, which
# every sector's machine loads and so is kept small.
build
wasm-bindgen --target web --out-dir wasm/pkg "$module"
wasm-bindgen --target nodejs --out-dir wasm/pkg-node "$module"
build --no-default-features
wasm-bindgen --target web --out-dir wasm/pkg-export "$module"
# Binaryen's optimiser for size, from npm: Debian's (version 108) is too old for the
# reference types that wasm-bindgen emits and breaks the module.
(cd wasm/tests && npm install --silent --no-audit --no-fund)
for pkg in wasm/pkg wasm/pkg-node wasm/pkg-export; do
  wasm/tests/node_modules/.bin/wasm-opt -Oz --converge --zero-filled-memory --low-memory-unused --strip-debug --strip-producers --strip-target-features --enable-reference-types --enable-multivalue --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-simd "$pkg/samkoer_wasm_bg.wasm" -o "$pkg/samkoer_wasm_bg.wasm"
done
cp wasm/package.template.json wasm/pkg/package.json
cp wasm/package.template.json wasm/pkg-export/package.json
echo '{ "type": "commonjs" }' > wasm/pkg-node/package.json
# The browser tools load the packages from beside them.
rm -rf wasm/www/pkg wasm/www/pkg-export && cp -r wasm/pkg wasm/www/pkg && cp -r wasm/pkg-export wasm/www/pkg-export
echo "built wasm/pkg and wasm/pkg-node ($(du -h wasm/pkg/samkoer_wasm_bg.wasm | cut -f1)), wasm/pkg-export ($(du -h wasm/pkg-export/samkoer_wasm_bg.wasm | cut -f1))"
