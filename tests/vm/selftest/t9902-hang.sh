#!/bin/bash
# vm-timeout: 25
# Harness self-test: a test that never ends is killed and reported failed.
sleep 1000
