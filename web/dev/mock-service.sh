#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# DEV ONLY: runs web/dev/mock-service.ts like `lottery serve` (same env vars), so the UI and the
# e2e script can be tried before the C++ service exists. Not used by any test by default.
cd "$(dirname "$0")/../.." || exit 1
exec node --import tsx web/dev/mock-service.ts "$@"
