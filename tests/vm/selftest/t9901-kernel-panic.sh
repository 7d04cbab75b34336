#!/bin/bash
# vm-timeout: 60
# Harness self-test: a guest kernel panic is a failure, never a pass.
echo c >/proc/sysrq-trigger
