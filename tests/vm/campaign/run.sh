#!/bin/bash
# The power-cut campaign (issue 14, `make campaign`): every kind of
# migration cut CAMPAIGN_CUTS times at seeded random moments, each cut
# followed by a boot, our assembly, the migration continued to its end and
# a full data check (tests/vm/campaign/lib.sh says how a boot goes).
#
#   CAMPAIGN_CUTS=50       cuts per kind
#   CAMPAIGN_SEED=N        the seed (default: from the clock; printed)
#   CAMPAIGN_KINDS="..."   a subset of: olce5 olce0 lvl05 lvl50 chunk tko10
#                          tko1 size rebuild (default all)
#   CAMPAIGN_FIRST=I       start at cut I of the plan (default 0)
#   CAMPAIGN_COUNT=N       run N cuts only (default CUTS x kinds)
#   CAMPAIGN_LOGDIR=DIR    default tests/vm/logs/campaign
#   CAMPAIGN_SABOTAGE=data after each cut, 64 KiB of random data over the
#                          first disk's data area: the checks must fail,
#                          except where the continuation rewrites that
#                          area itself (rows restored from the copy area,
#                          a disk being rebuilt); seed 1222: 6 of 9 failed
#
# Cut I is of kind KINDS[I mod #KINDS], its delay drawn from (SEED, I)
# alone: `CAMPAIGN_SEED=S CAMPAIGN_FIRST=I CAMPAIGN_COUNT=1 make campaign`
# replays cut I (its kind, delay and assembly; md's timing under TCG is
# not replayed exactly, so "where it landed" may differ a little).
#
# The cuts run in batches through t3000-powercut-slice (3 lanes of 4
# drives, 9 cuts in 4 boots of one VM test; the batch's plan goes to the
# test in DIR/campaign.conf, which only this driver writes).  A batch that
# ends early (a boot that fails, hangs or panics) loses its cuts not yet
# checked: they are counted as failures "no result" and the next batch
# goes on.  Every cut's line is in DIR/campaign.results, each batch's log
# in DIR/batch-N.log; the end prints, per kind, the cuts, where they
# landed (not started, in the copy area or at a checkpoint of a reshape,
# rebuilding or resyncing with the checkpoint's unit, finished), and the
# failures with the line that replays each.  Exit status 1 if any failed.
# `run.sh --summary` prints that summary of DIR/campaign.results again
# (with the same CAMPAIGN_SEED and CAMPAIGN_KINDS).
set -u
top=$(cd "$(dirname "$0")/../../.." && pwd)
all="olce5 olce0 lvl05 lvl50 chunk tko10 tko1 size rebuild"
cuts=${CAMPAIGN_CUTS:-50}
seed=${CAMPAIGN_SEED:-$(date +%s)}
kinds=${CAMPAIGN_KINDS:-$all}
first=${CAMPAIGN_FIRST:-0}
logdir=${CAMPAIGN_LOGDIR:-$top/tests/vm/logs/campaign}
test=t3000-powercut-slice
batch=9

die() {
	echo "campaign: $*" >&2
	exit 2
}
[[ $cuts =~ ^[1-9][0-9]*$ ]] || die "bad CAMPAIGN_CUTS '$cuts'"
[[ $seed =~ ^[0-9]+$ ]] || die "bad CAMPAIGN_SEED '$seed'"
[[ $first =~ ^[0-9]+$ ]] || die "bad CAMPAIGN_FIRST '$first'"
read -r -a klist <<<"$kinds"
[ "${#klist[@]}" -gt 0 ] || die "no kinds"
for k in "${klist[@]}"; do
	[[ " $all " == *" $k "* ]] || die "unknown kind '$k' (kinds: $all)"
done
count=${CAMPAIGN_COUNT:-$((cuts * ${#klist[@]}))}
[[ $count =~ ^[1-9][0-9]*$ ]] || die "bad CAMPAIGN_COUNT '$count'"

mkdir -p "$logdir" || die "cannot make $logdir"
results=$logdir/campaign.results

# run_batch FIRST COUNT N: one VM test over cuts FIRST..FIRST+COUNT-1.
run_batch() {
	local f=$1 c=$2 n=$3 got i
	printf 'SEED=%s\nKINDS="%s"\nFIRST=%s\nCOUNT=%s\nSABOTAGE=%s\n' "$seed" "${klist[*]}" "$f" "$c" \
		"${CAMPAIGN_SABOTAGE:-}" >"$logdir/campaign.conf"
	VMTEST_JOBS=1 VMTEST_LOGDIR=$logdir "$top/tests/vm/run.sh" "$test" >"$logdir/batch-$n.tap" 2>&1
	cp "$logdir/$test.log" "$logdir/batch-$n.log" 2>/dev/null
	touch "$logdir/$test.state/results" 2>/dev/null
	cat "$logdir/$test.state/results" >>"$results" 2>/dev/null
	for ((i = f; i < f + c; i++)); do
		grep -q "^cut $i " "$logdir/$test.state/results" 2>/dev/null && continue
		got=$(grep -m1 '^not ok' "$logdir/batch-$n.tap" | sed 's/^not ok [0-9]* - //')
		echo "cut $i kind ${klist[i % ${#klist[@]}]} delay ? assembly ? landed ? FAIL no result ($got)" >>"$results"
	done
	rm -f "$logdir/campaign.conf"
	echo "campaign: batch $n (cuts $f..$((f + c - 1))): $(grep -c ' ok$' "$logdir/$test.state/results" 2>/dev/null || true) ok," \
		"$(($(date +%s) - t0)) s so far; $(grep -m1 -E '^(not )?ok' "$logdir/batch-$n.tap")"
}

# summary SECONDS: per kind, the cuts and where they landed; the failures.
summary() {
	echo
	echo "campaign: seed $seed, $(grep -c . "$results") cuts in $1 s ($(($1 / 60)) min)"
	awk '
function where(l) {
	if (l ~ /^not started/) return "not-started"
	if (l ~ /^finished/) return "finished"
	if (l ~ /status 1$/) return "copy-area"
	if (l ~ /status 0$/) return "at-checkpoint"
	if (l ~ /^rebuild/) return "rebuilding"
	if (l ~ /^repair/) return "resyncing"
	if (l ~ /^idle, map/) return "recorded-idle"
	return "other"
}
{
	k = $4; cuts[k]++
	l = $0; sub(/.* landed /, "", l); sub(/ (ok|FAIL.*)$/, "", l)
	w = where(l); at[k, w]++
	if (match(l, /unit [0-9]+/)) {
		u = substr(l, RSTART + 5, RLENGTH - 5) + 0
		if (!(k in umin) || u < umin[k]) umin[k] = u
		if (!(k in umax) || u > umax[k]) umax[k] = u
	}
	if ($0 ~ / FAIL/) fails[k]++
}
END {
	n = split("not-started copy-area at-checkpoint rebuilding resyncing recorded-idle finished other", ws)
	for (k in cuts) {
		s = ""
		for (i = 1; i <= n; i++) if (at[k, ws[i]]) s = s " " ws[i] "=" at[k, ws[i]]
		if (k in umin) s = s " units " umin[k] ".." umax[k]
		printf "  %-8s cuts %3d, failed %d:%s\n", k, cuts[k], fails[k] + 0, s
	}
}' "$results" | sort
	if grep -q ' FAIL' "$results"; then
		echo "campaign: failures (replay: CAMPAIGN_SEED=$seed CAMPAIGN_KINDS=\"${klist[*]}\" CAMPAIGN_FIRST=I CAMPAIGN_COUNT=1 make campaign):"
		grep ' FAIL' "$results" | sed 's/^/  /'
		echo "campaign: $(grep -c ' ok$' "$results") passed, $(grep -c ' FAIL' "$results") failed"
		return 1
	fi
	echo "campaign: $(grep -c ' ok$' "$results") passed, 0 failed"
}

if [ "${1:-}" = --summary ]; then # the summary of DIR/campaign.results as it is
	summary 0
	exit
fi
: >"$results"
echo "campaign: seed $seed, kinds: ${klist[*]}, cuts $first..$((first + count - 1)) ($count), batches of $batch"
echo "campaign: logs in $logdir"
t0=$(date +%s)
n=0
for ((f = first; f < first + count; f += batch)); do
	c=$((first + count - f))
	[ "$c" -le "$batch" ] || c=$batch
	run_batch "$f" "$c" "$n"
	n=$((n + 1))
done

summary $(($(date +%s) - t0))
