#!/bin/bash
# vm-timeout: 120
# Our mdadm runs in the guest and answers the command line like mdadm:
# --version/--help succeed, bad or conflicting options give one line on
# stderr and exit 2, modes not landed yet give one line and exit 1.
. "$VMTEST_LIB"

run_expect 0 mdadm --version
case $last_out in "mdadm - v"*) ;; *) fail "unexpected --version output: $last_out" ;; esac
run_expect 0 mdadm -V
run_expect 0 mdadm --help
echo "$last_out" | grep -q -- '--create' || fail "--help does not mention --create"
run_expect 0 mdmon --version
run_expect 0 mdadm-peer --version 2>&1
note "peer: $(mdadm-peer --version 2>&1)"

usage() { # expected-fragment args...
	local frag=$1
	shift
	run_expect 2 mdadm "$@"
	expect_one_error_line "mdadm: "
	case $last_err in *"$frag"*) ;; *) fail "mdadm $*: '$last_err' lacks '$frag'" ;; esac
}
usage "no mode" 
usage "unrecognized option '--frobnicate'" --frobnicate
usage "invalid option" -Z
usage "already set to \"create\"" -C /dev/md0 -A
usage "requires an argument" -C /dev/md0 --level
usage "invalid raid level: 7" -C /dev/md0 -l 7 -n 2 /dev/loop0 /dev/loop1
usage "invalid number of raid devices" -C /dev/md0 -n 0
usage "invalid --chunk value" -C /dev/md0 -c 64Q
usage "invalid --size value" -C /dev/md0 -z -5
usage "--level is not valid in examine mode" -E -l5 /dev/loop0
usage "--export is not valid in create mode" -C /dev/md0 --export
usage "may only be given once" -C /dev/md0 -l5 -l0
usage "an md device must be given" -G
usage "no devices given for --detail" -D
usage "--add is not valid in grow mode" -G /dev/md0 -a /dev/loop0

run_expect 1 mdadm -C /dev/md/vol0 -l5 -n3 /dev/loop0 /dev/loop1 /dev/loop2
expect_one_error_line "mdadm: "
run_expect 1 mdadm -A /dev/md/imsm0 /dev/loop0
expect_one_error_line "mdadm: "
run_expect 1 mdadm -D /dev/loop0
expect_one_error_line "mdadm: "
note "command line behaves"
