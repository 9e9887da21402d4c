#!/usr/bin/env bash
# Obtains libchdb.so (ClickHouse built as a shared library) into <repo>/.cache/chdb/.
# The dev stack and the integration tests run it as a ClickHouse server (see docs in INFRA notes:
# Debian's clickhouse-server is from 2018 and too old for ClickHouse.Driver).
#
# Idempotent: does nothing when .cache/chdb/libchdb.so is already there.
# Set CHDB_TARBALL=/path/to/chdb-lib-linux-x64-gnu-26.7.3-stable.1.tgz to use a local copy instead of npm.
set -euo pipefail

# Pinned exactly: the npm `latest` tag (26.5.x) has no server mode.
readonly PACKAGE="@chdb/lib-linux-x64-gnu"
readonly VERSION="26.7.3-stable.1"
# sha1 of the npm tarball (npm's own "shasum"), so a local CHDB_TARBALL is checked too.
readonly TARBALL_SHA1="d2905fafd0e0ac0e231cccadd1f0f6d010977297"

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache_dir="${repo_root}/.cache/chdb"
lib="${cache_dir}/libchdb.so"

if [[ -s "${lib}" ]]; then
    echo "libchdb.so already present: ${lib}"
    exit 0
fi

mkdir -p "${cache_dir}"
tarball="${cache_dir}/chdb-lib-linux-x64-gnu-${VERSION}.tgz"

if [[ -n "${CHDB_TARBALL:-}" ]]; then
    [[ -f "${CHDB_TARBALL}" ]] || { echo "error: CHDB_TARBALL=${CHDB_TARBALL} does not exist" >&2; exit 1; }
    echo "Using local tarball ${CHDB_TARBALL}"
    cp "${CHDB_TARBALL}" "${tarball}.part"
    mv "${tarball}.part" "${tarball}"
elif [[ ! -f "${tarball}" ]]; then
    command -v npm >/dev/null || { echo "error: npm is required (apt-get install -y npm) or set CHDB_TARBALL" >&2; exit 1; }
    echo "Downloading ${PACKAGE}@${VERSION} with npm pack (about 178 MB)..."
    (cd "${cache_dir}" && npm pack --silent "${PACKAGE}@${VERSION}" >/dev/null)
fi

actual_sha1="$(sha1sum "${tarball}" | cut -d' ' -f1)"
if [[ "${actual_sha1}" != "${TARBALL_SHA1}" ]]; then
    rm -f "${tarball}"
    echo "error: ${tarball} has sha1 ${actual_sha1}, expected ${TARBALL_SHA1}; removed it, run again" >&2
    exit 1
fi

# Extract to a temporary name and rename, so an interrupted run never leaves a truncated libchdb.so behind.
tar -xzf "${tarball}" -C "${cache_dir}" -O package/libchdb.so > "${lib}.part"
mv "${lib}.part" "${lib}"
rm -f "${tarball}"
echo "libchdb.so ready: ${lib} ($(du -h "${lib}" | cut -f1))"
