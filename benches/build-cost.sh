#!/usr/bin/env bash
# What `prolific` costs a crate that depends on it, in build time, side by side with the
# smallest crate that could do the same job by hand:
#
#   1. a clean `cargo build` of a downstream binary using `prolific` with default features,
#      against one using only reqwest (the same TLS: rustls with ring) + serde + serde_json +
#      tokio. Rounds alternate which goes first; the medians and their ratio are printed.
#      `prolific`'s build script generates the client from the spec with progenitor in every
#      build, so the generator and its build-dependencies are part of what is timed.
#      Guard rail: the ratio at most 2.0 (RATIO_TARGET below).
#   2. the rebuild after an edit to the spec: a plain `cargo build` (the build script runs
#      progenitor again and the crate recompiles), in a copy of this checkout.
#
#   bash benches/build-cost.sh [rounds]      (default 3 rounds; each clean build is timed)
#
# Dependencies are fetched before anything is timed, so only compiling is measured. Everything
# is built in a copy of the checkout under a temporary directory, removed at the end. Builds
# use CARGO_BUILD_JOBS when it is set, every core otherwise; the report says which.
set -euo pipefail

ROUNDS="${1:-3}"
RATIO_TARGET=2.0
SOURCE="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/prolific-build-cost.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
unset CARGO_TARGET_DIR RUSTC_WRAPPER CARGO_BUILD_RUSTC_WRAPPER

# A copy of the checkout's tracked files (as they are in the work tree): what is measured
# cannot change under the script, and the checkout is never built into or edited.
REPO="$WORK/checkout"
mkdir -p "$REPO"
(cd "$SOURCE" && git ls-files -z | xargs -0 -I{} cp --parents {} "$REPO/")

# ------------------------------------------------------------------ the two downstream crates

mkdir -p "$WORK/with-prolific/src" "$WORK/minimal/src"

cat >"$WORK/with-prolific/Cargo.toml" <<EOF
[package]
name = "with-prolific"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
prolific = { path = "$REPO" }
tokio = { version = "1", features = ["rt", "macros"] }
EOF
cat >"$WORK/with-prolific/src/main.rs" <<'EOF'
#[tokio::main(flavor = "current_thread")]
async fn main() -> prolific::Result<()> {
    let client = prolific::Client::builder().token("t").base_url("http://127.0.0.1:9").build()?;
    if let Ok(group) = client.participant_groups().get("642ea7ff7639ab670b05a0b5").await {
        println!("{}", group.name);
    }
    Ok(())
}
EOF

cat >"$WORK/minimal/Cargo.toml" <<'EOF'
[package]
name = "minimal"
version = "0.0.0"
edition = "2024"
publish = false

# The TLS `prolific` uses by default: rustls with the ring provider.
[dependencies]
reqwest = { version = "0.13", default-features = false, features = ["json", "query", "rustls-no-provider"] }
rustls = { version = "0.23", default-features = false, features = ["ring", "std", "tls12"] }
serde = { version = "1", features = ["derive"] }
serde_json = "1"
tokio = { version = "1", features = ["rt", "macros", "time"] }
EOF
cat >"$WORK/minimal/src/main.rs" <<'EOF'
#[derive(serde::Deserialize)]
struct Group {
    #[allow(dead_code)]
    id: String,
    name: String,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), reqwest::Error> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::builder().build()?;
    let answer = http
        .get("http://127.0.0.1:9/api/v1/participant-groups/642ea7ff7639ab670b05a0b5/")
        .header("authorization", "Token t")
        .send()
        .await;
    if let Ok(answer) = answer {
        if let Ok(bytes) = answer.bytes().await {
            if let Ok(group) = serde_json::from_slice::<Group>(&bytes) {
                println!("{}", group.name);
            }
        }
    }
    Ok(())
}
EOF

# ------------------------------------------------------------------ helpers

# seconds <command...>: runs the command, its output to $WORK/last.log, prints its wall time.
seconds() {
  local start end
  start=$(date +%s%N)
  "$@" >"$WORK/last.log" 2>&1 || { echo "failed: $*" >&2; cat "$WORK/last.log" >&2; exit 1; }
  end=$(date +%s%N)
  awk -v ns=$((end - start)) 'BEGIN { printf "%.1f", ns / 1e9 }'
}

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

clean_build() { # clean_build <crate dir>: time of a clean build; counts what it compiled
  (cd "$1" && rm -rf target && seconds cargo build) || return 1
  grep -c '^ *Compiling ' "$WORK/last.log" >"$1/compiled"
}

# measured <command...>: its output, or the end of the script if it failed.
measured() {
  local out
  out="$("$@")" || { echo "stopped: $* failed" >&2; exit 1; }
  echo "$out"
}

echo "fetching dependencies (not timed)..."
(cd "$WORK/with-prolific" && cargo fetch --quiet)
(cd "$WORK/minimal" && cargo fetch --quiet)

# ------------------------------------------------------------------ 1. clean builds

with=() without=()
for ((round = 1; round <= ROUNDS; round++)); do
  if ((round % 2)); then
    with+=("$(measured clean_build "$WORK/with-prolific")")
    without+=("$(measured clean_build "$WORK/minimal")")
  else
    without+=("$(measured clean_build "$WORK/minimal")")
    with+=("$(measured clean_build "$WORK/with-prolific")")
  fi
  echo "round $round: prolific ${with[-1]} s, minimal reqwest ${without[-1]} s"
done
mw=$(median "${with[@]}")
mm=$(median "${without[@]}")
ratio=$(awk -v a="$mw" -v b="$mm" 'BEGIN { printf "%.2f", a / b }')
verdict=$(awk -v r="$ratio" -v t="$RATIO_TARGET" 'BEGIN { print (r <= t) ? "ok" : "MISSED" }')

# ------------------------------------------------------------------ 2. a spec edit

cd "$REPO"
echo "building the checkout's copy once (not timed)..."
measured seconds cargo build >/dev/null
spec=openapi/participant-groups.yaml
edits=()
for ((round = 1; round <= ROUNDS; round++)); do
  # A real change to the generated code: a field's description (a doc comment) changes.
  sed -i "0,/description: A description of the participant group\.*/s//description: A description of the participant group.$round/" "$spec"
  edits+=("$(measured seconds cargo build)")
done
me=$(median "${edits[@]}")
touch "$spec"
noop=$(measured seconds cargo build)

# ------------------------------------------------------------------ report

cat <<EOF

build cost (medians of $ROUNDS rounds, debug profile, ${CARGO_BUILD_JOBS:-$(nproc)} jobs on $(nproc) cores)
  clean build, downstream crate using prolific (default features) : ${mw} s  (rounds: ${with[*]}; $(cat "$WORK/with-prolific/compiled") crates compiled)
  clean build, downstream crate using reqwest + serde + tokio     : ${mm} s  (rounds: ${without[*]}; $(cat "$WORK/minimal/compiled") crates compiled)
  ratio prolific / minimal                                         : ${ratio}  (at most ${RATIO_TARGET}: ${verdict})
  rebuild after a spec edit (cargo build)                          : ${me} s  (rounds: ${edits[*]})
  rebuild after touching the spec without changing it              : ${noop} s

summary: clean build ${ratio}x the minimal reqwest crate (at most ${RATIO_TARGET}: ${verdict}); spec edit rebuilds in ${me} s
EOF
