#!/usr/bin/env bash
# The app's "test suite": passes when the test helper from .profile.d is loaded and
# FAIL_TESTS is not set in the env dir.
[ "${TEST_HELPER_LOADED:-}" = 1 ] || { echo "test helper not loaded"; exit 2; }
if [ -f "$2/FAIL_TESTS" ]; then echo "fixture test failed on purpose"; exit 1; fi
echo "all fixture tests ok"
