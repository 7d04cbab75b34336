#!/bin/bash
# vm-timeout: 120
# Our mdadm runs in the guest and answers the command line like mdadm:
# --version/--help succeed, bad or conflicting options give one line on
# stderr and exit 2, modes not landed yet give one line and exit 1.
. "$VMTEST_LIB"

# --version on stderr as upstream's, in the form libblockdev and udisks
# parse ("mdadm - vX.Y", at least 3.3.2), saying what this is.
run_expect 0 mdadm --version
[ -z "$last_out" ] || fail "--version wrote to stdout: $last_out"
[[ $last_err =~ ^mdadm\ -\ v([0-9]+)\.([0-9]+) ]] || fail "unexpected --version: $last_err"
((BASH_REMATCH[1] > 3 || (BASH_REMATCH[1] == 3 && BASH_REMATCH[2] >= 4))) ||
	fail "version below libblockdev's minimum: $last_err"
case $last_err in *"not upstream"*) ;; *) fail "--version does not say what this is: $last_err" ;; esac
run_expect 0 mdadm -V
run_expect 0 mdadm --help
echo "$last_out" | grep -q -- '--create' || fail "--help does not mention --create"
for m in --create --assemble --grow --incremental --manage --misc --monitor; do
	run_expect 0 mdadm "$m" --help
	[ -n "$last_out" ] || fail "mdadm $m --help printed nothing"
done
run_expect 0 mdadm --help-options
echo "$last_out" | grep -q -- '--raid-disks' || fail "--help-options lacks --raid-disks"
run_expect 0 mdmon --version
case $last_out in *"IMSM reshape edition"*) ;; *) fail "mdmon --version: $last_out" ;; esac
run_expect 0 mdadm-peer --version 2>&1
note "ours: $(mdadm --version 2>&1); peer: $(mdadm-peer --version 2>&1)"

usage() { # expected-fragment args...
	local frag=$1
	shift
	run_expect 2 mdadm "$@"
	expect_one_error_line "mdadm: "
	case $last_err in *"$frag"*) ;; *) fail "mdadm $*: '$last_err' lacks '$frag'" ;; esac
}
usage "no mode" 
usage "unrecognized option '--frobnicate'" --frobnicate
usage "invalid option" -J
usage "did you mean '--raid-devices'?" -C /dev/md0 --raid-devise=3
usage "is ambiguous" --re /dev/md0
usage "does not set the mode" --scan
usage "no action given for" /dev/md0 --stop
usage "already set to \"create\"" -C /dev/md0 -A
usage "requires an argument" -C /dev/md0 --level
usage "invalid raid level: 7" -C /dev/md0 -l 7 -n 2 /dev/loop0 /dev/loop1
usage "invalid number of raid devices" -C /dev/md0 -n 0
usage "invalid --chunk value" -C /dev/md0 -c 64Q
usage "invalid --size value" -C /dev/md0 -z -5
usage "--level is not valid in misc mode" -E -l5 /dev/loop0
usage "--backup-file is not valid in create mode" -C /dev/md0 --backup-file=/tmp/b
usage "may only be given once" -C /dev/md0 -l5 -l0
usage "an md device must be given" -G
usage "no devices given for --detail" -D
usage "unusual number of drives" -C /dev/md0 -l0 -n1 /dev/loop0

run_expect 1 mdadm -C /dev/md/vol0 -l5 -n3 /dev/loop0 /dev/loop1 /dev/loop2
expect_one_error_line "mdadm: "
run_expect 1 mdadm -A /dev/md/imsm0 /dev/loop0
expect_one_error_line "mdadm: "
run_expect 1 mdadm -D /dev/loop0
expect_one_error_line "mdadm: "
note "command line behaves"
