#!/bin/bash
# The man pages against the code they describe:
#   - every long option of opt_table (mdadm-options.c) appears in
#     man/mdadm.8 as \-\-NAME, and every \-\-NAME there is in the table
#     (or, where the page speaks of mdmon, among mdmon's options); the
#     table's fixed short letters appear as \-L; the options the table marks
#     "not for IMSM" are listed under "Options refused for IMSM";
#   - mdmon's options (parse_opts() in mdmon.c) and man/mdmon.8, both ways;
#   - mdadm.conf's keywords (config.c) and man/mdadm.conf.5, both ways;
#   - the environment variables the code reads are in mdadm.8's ENVIRONMENT;
#   - the exit codes: mdadm.h's EXIT_* = README's list = the EXIT STATUS
#     of mdadm.8 (mdmon's own code aside) and of mdmon.8; the modes README
#     gives their own codes have them in mdadm.8;
#   - options are written with \- (plain hyphens would not copy-paste);
#   - each page renders without a warning (man -l, groff -ww).
# One "not ok" line per problem, naming it; exit 1 when any.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
man8=$top/man/mdadm.8
mon8=$top/man/mdmon.8
conf5=$top/man/mdadm.conf.5
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

# ---- readers ---------------------------------------------------------------

# Man source to plain text for looking at names: \- to -, fonts, \c, \& and
# \e dropped; comment lines removed.
unescape() {
	sed -e '/^\.\\"/d' -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\c//g' \
		-e 's/\\&//g' -e 's/\\e/\\/g' -e 's/\\(lq/"/g' -e 's/\\(rq/"/g'
}

# The --NAME words of text on stdin, one per line (a final dot is the
# sentence's, not the name's: --sparc2.2 keeps its inner one).
long_names() {
	grep -o -- '--[a-z0-9][a-z0-9.-]*' | sed -e 's/^--//' -e 's/[.-]*$//'
}

# The entries of a man page, one per line: SECTION<TAB>SUBSECTION<TAB>TAG<TAB>BODY,
# where TAG is the line after .TP (or .TQ) and BODY the lines up to the
# next paragraph macro, joined.  Raw source: callers unescape.
entries() {
	awk '
	function flush() {
		if (tag != "")
			printf "%s\t%s\t%s\t%s\n", sec, sub_, tag, body
		tag = ""; body = ""; want_tag = 0
	}
	/^\.\\"/ { next }
	/^\.SH/ { flush(); sec = substr($0, 5); gsub(/"/, "", sec); sub_ = ""; next }
	/^\.SS/ { flush(); sub_ = substr($0, 5); gsub(/"/, "", sub_); next }
	/^\.(TP|TQ)/ { flush(); want_tag = 1; next }
	/^\.(PP|LP|P|IP|RS|RE|EX|EE|nf|fi)( |$)/ { flush(); next }
	want_tag { tag = $0; want_tag = 0; next }
	tag != "" { body = body " " $0 }
	END { flush() }' "$1"
}

# opt_table's rows: NAME<TAB>LETTER<TAB>NOT_IMSM (LETTER "-" when none).
# The "not for IMSM" flag comes from the row macros' #defines: the last
# field of the expansion is true, false, or the parameter that says it.
# A row the parser cannot read is printed as "?<TAB>line".
table_rows() {
	awk '
	function trim(s) { gsub(/^[ \t]+|[ \t]+$/, "", s); return s }
	/^#define [A-Z_]+\(/ {
		name = $2; sub(/\(.*/, "", name)
		params = $0; sub(/^#define [A-Z_]+\(/, "", params); sub(/\).*/, "", params)
		body = $0; sub(/.*\{/, "", body); sub(/\}.*/, "", body)
		nb = split(body, f, ","); last = trim(f[nb])
		np = split(params, p, ",")
		flag[name] = last
		for (i = 1; i <= np; i++)
			if (trim(p[i]) == last)
				flag[name] = "arg" i
		next
	}
	/^const struct opt_def opt_table\[\] = \{/ { in_table = 1; next }
	in_table && /^\};/ { in_table = 0; next }
	!in_table { next }
	{
		line = $0
		if (in_comment) {
			if (line !~ /\*\//) next
			sub(/.*\*\//, "", line); in_comment = 0
		}
		gsub(/\/\*.*\*\//, "", line)
		if (line ~ /\/\*/) { sub(/\/\*.*/, "", line); in_comment = 1 }
		sub(/\/\/.*/, "", line)
		if (trim(line) == "") next
		macro = ""
		if (match(line, /^[ \t]*[A-Z_]+\(/)) {
			macro = trim(substr(line, RSTART, RLENGTH - 1))
			args = substr(line, RSTART + RLENGTH)
			sub(/\)[ \t]*,?[ \t]*$/, "", args)
		} else if (match(line, /^[ \t]*\{/)) {
			args = substr(line, RSTART + RLENGTH)
			sub(/\}[ \t]*,?[ \t]*$/, "", args)
		} else {
			printf "?\t%s\n", trim(line); next
		}
		n = split(args, a, ",")
		nm = trim(a[1])
		if (nm !~ /^"[^"]+"$/) { printf "?\t%s\n", trim(line); next }
		gsub(/"/, "", nm)
		letter = trim(a[3])
		letter = letter ~ /^\047.\047$/ ? substr(letter, 2, 1) : "-"
		if (macro == "")
			ni = trim(a[n])
		else if (flag[macro] ~ /^arg/)
			ni = trim(a[substr(flag[macro], 4) + 0])
		else
			ni = flag[macro]
		printf "%s\t%s\t%s\n", nm, letter, (ni == "true" ? "yes" : "no")
	}' "$top/mdadm-options.c"
}

# mdmon's long options (its getopt table) and its short letters.
mdmon_longs() {
	grep -o '{ "[a-z-]*", [a-z_]*, NULL, .[a-zA-Z]. }' "$top/mdmon.c" |
		sed -e 's/^{ "//' -e 's/".*//'
}
mdmon_shorts() {
	sed -n 's/.*getopt_long(argc, argv, "\([^"]*\)".*/\1/p' "$top/mdmon.c" | tr -d ':'
}

# ---- checks ---------------------------------------------------------------------

have_tools() {
	local t missing=""
	for t in man groff; do
		command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
	done
	echo "${missing# }"
}

# Each page exists; its options are written \-\- (plain "--" or a plain "-x"
# before a word would not survive copy and paste in every renderer).
check_sources() {
	local p bad
	for p in "$man8" "$mon8" "$conf5"; do
		if [ ! -s "$p" ]; then
			not_ok "${p#"$top"/} is missing"
			continue
		fi
		bad=$(grep -n -v '^\.\\"' "$p" | grep -E -- '(^[0-9]+:|[[:space:]([|"])--?[A-Za-z0-9]' | head -5)
		if [ -n "$bad" ]; then
			not_ok "${p#"$top"/} writes options with plain hyphens: $(echo "$bad" | tr '\n' ' ')"
		else
			ok "${p#"$top"/} writes every option with \\-"
		fi
	done
}

check_render() {
	local p missing err
	missing=$(have_tools)
	if [ -n "$missing" ]; then
		not_ok "cannot check rendering: $missing not installed (apt-get install groff-base man-db)"
		return
	fi
	for p in "$man8" "$mon8" "$conf5"; do
		[ -s "$p" ] || continue
		err=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$p" 2>&1 >/dev/null)
		if [ -n "$err" ]; then
			not_ok "man --warnings -l ${p#"$top"/}: $(echo "$err" | head -3 | tr '\n' ' ')"
		else
			ok "man --warnings -l ${p#"$top"/} renders without warnings"
		fi
		err=$(groff -man -ww -z "$p" 2>&1)
		if [ -n "$err" ]; then
			not_ok "groff -man -ww -z ${p#"$top"/}: $(echo "$err" | head -3 | tr '\n' ' ')"
		else
			ok "groff -man -ww -z ${p#"$top"/} is clean"
		fi
	done
}

# Lines of $2 that are not in $1 (both: one item per line).
missing_from() {
	comm -13 <(sort -u <<<"$1") <(sort -u <<<"$2") | grep .
}

# The short letters a text shows as options ("-x" as a word).
letters_in() {
	grep -oE -- '(^|[^a-z0-9-])-[A-Za-z0-9]([^a-zA-Z0-9-]|$)' | sed -E 's/^[^-]*-(.).*/\1/' | sort -u
}

check_mdadm_options() {
	local rows names page_all page_tags tag_text refused mdmon name n_bad
	rows=$(table_rows)
	while IFS=$'\t' read -r _ line; do
		not_ok "mdadm-options.c: cannot read the opt_table row: $line"
	done < <(grep '^?' <<<"$rows")
	rows=$(grep -v '^?' <<<"$rows")
	names=$(cut -f1 <<<"$rows")
	if [ "$(wc -l <<<"$names")" -lt 50 ]; then
		not_ok "mdadm-options.c: only $(wc -l <<<"$names") options read from opt_table"
		return
	fi
	page_all=$(unescape <"$man8" | long_names | sort -u)
	tag_text=$(entries "$man8" | cut -f3 | unescape)
	page_tags=$(long_names <<<"$tag_text" | sort -u)
	refused=$(entries "$man8" | awk -F'\t' '$2 == "Options refused for IMSM"' | cut -f3 |
		unescape | long_names | sort -u)
	mdmon=$(mdmon_longs)

	n_bad=0
	for name in $(missing_from "$page_all" "$names"); do
		not_ok "mdadm.8 does not document --$name (opt_table has it)"
		n_bad=$((n_bad + 1))
	done
	[ "$n_bad" -eq 0 ] && ok "all $(wc -l <<<"$names") long options of opt_table appear in mdadm.8"

	n_bad=0
	for name in $(missing_from "$names" "$page_tags"); do
		not_ok "mdadm.8 documents --$name as an option, and opt_table has no such option"
		n_bad=$((n_bad + 1))
	done
	[ "$n_bad" -eq 0 ] && ok "all $(wc -l <<<"$page_tags") options mdadm.8 documents are in opt_table"

	n_bad=0
	for name in $(missing_from "$(printf '%s\n%s\n' "$names" "$mdmon")" "$page_all"); do
		# an abbreviation getopt takes: the start of exactly one option
		[ "$(grep -c -- "^$name" <<<"$names")" -eq 1 ] && continue
		not_ok "mdadm.8 mentions --$name, which neither mdadm nor mdmon accepts"
		n_bad=$((n_bad + 1))
	done
	[ "$n_bad" -eq 0 ] && ok "every --NAME mdadm.8 mentions is an option of mdadm or mdmon"

	n_bad=0
	for name in $(missing_from "$(letters_in <<<"$tag_text")" "$(awk -F'\t' '$2 != "-" { print $2 }' <<<"$rows")"); do
		not_ok "mdadm.8 has no entry for -$name (--$(awk -F'\t' -v l="$name" '$2 == l { print $1; exit }' <<<"$rows"))"
		n_bad=$((n_bad + 1))
	done
	for name in $(missing_from "$refused" "$(awk -F'\t' '$3 == "yes" { print $1 }' <<<"$rows")"); do
		not_ok "mdadm.8 does not list --$name under \"Options refused for IMSM\" (opt_table marks it not for IMSM)"
		n_bad=$((n_bad + 1))
	done
	[ "$n_bad" -eq 0 ] &&
		ok "mdadm.8 has the $(awk -F'\t' '$2 != "-"' <<<"$rows" | wc -l) fixed short letters and lists the $(awk -F'\t' '$3 == "yes"' <<<"$rows" | wc -l) options refused for IMSM"
}

check_mdmon_options() {
	local longs shorts page_all tag_text name n_bad=0
	longs=$(mdmon_longs)
	shorts=$(mdmon_shorts)
	if [ "$(wc -w <<<"$longs")" -lt 4 ] || [ -z "$shorts" ]; then
		not_ok "mdmon.c: cannot read mdmon's options (longs: $(echo $longs), shorts: '$shorts')"
		return
	fi
	page_all=$(unescape <"$mon8" | long_names | sort -u)
	tag_text=$(entries "$mon8" | cut -f3 | unescape)
	for name in $(missing_from "$page_all" "$longs"); do
		not_ok "mdmon.8 does not document --$name (mdmon.c has it)"
		n_bad=$((n_bad + 1))
	done
	for name in $(missing_from "$longs" "$(long_names <<<"$tag_text")"); do
		not_ok "mdmon.8 documents --$name, and mdmon.c has no such option"
		n_bad=$((n_bad + 1))
	done
	for name in $(missing_from "$(letters_in <<<"$tag_text")" "$(fold -w1 <<<"$shorts")"); do
		not_ok "mdmon.8 has no entry for -$name"
		n_bad=$((n_bad + 1))
	done
	[ "$n_bad" -eq 0 ] &&
		ok "mdmon.8 and mdmon.c agree on $(wc -w <<<"$longs") long options and ${#shorts} letters"
}

# config.c's keywords[] (lower case, matched by a prefix of three letters
# or more) against the entry tags of mdadm.conf.5's KEYWORDS section.
check_conf_keywords() {
	local kws tags kw w n_bad=0 found
	kws=$(awk '/keywords\[KW_COUNT\] = \{/ { on = 1; next } on && /\};/ { on = 0 }
		on' "$top/config.c" | grep -o '"[a-z-]*"' | tr -d '"')
	if [ "$(wc -w <<<"$kws")" -lt 5 ]; then
		not_ok "config.c: cannot read the mdadm.conf keywords"
		return
	fi
	# (the ARRAY line's KEY=VALUE words have entries of their own)
	tags=$(entries "$conf5" | awk -F'\t' '$1 == "KEYWORDS" && $3 !~ /=/' | cut -f3 | unescape |
		grep -oE '[A-Z][A-Z-]{2,}' | tr 'A-Z' 'a-z' | sort -u)
	for kw in $kws; do
		found=no
		for w in $tags; do
			case "$kw" in "$w"*) found=yes ;; esac
		done
		[ "$found" = yes ] && continue
		not_ok "mdadm.conf.5 has no entry for the keyword ${kw^^} (config.c reads it)"
		n_bad=$((n_bad + 1))
	done
	for w in $tags; do
		found=no
		for kw in $kws; do
			case "$kw" in "$w"*) found=yes ;; esac
		done
		[ "$found" = yes ] && continue
		not_ok "mdadm.conf.5 documents the keyword ${w^^}, which config.c does not read"
		n_bad=$((n_bad + 1))
	done
	[ "$n_bad" -eq 0 ] && ok "mdadm.conf.5 and config.c agree on $(wc -w <<<"$kws") keywords"
}

check_environment() {
	local vars env v n_bad=0
	vars=$(cat "$top"/*.c | grep -o 'getenv("[A-Z0-9_]*")' | sed 's/getenv("\(.*\)")/\1/' | sort -u)
	# env_is_one("NAME") and the like read the environment too
	vars=$(printf '%s\n%s\n' "$vars" "$(grep -o 'env_is_one("[A-Z0-9_]*")' "$top"/*.c |
		sed 's/.*("\(.*\)")/\1/')" | grep . | sort -u)
	env=$(entries "$man8" | awk -F'\t' '$1 == "ENVIRONMENT"' | cut -f3 | unescape)
	for v in $vars; do
		grep -qw -- "$v" <<<"$env" && continue
		not_ok "mdadm.8's ENVIRONMENT does not name $v (the code reads it)"
		n_bad=$((n_bad + 1))
	done
	[ "$n_bad" -eq 0 ] && ok "mdadm.8's ENVIRONMENT names all $(wc -w <<<"$vars") variables the code reads"
}

# README's "Exit codes" list: CODE<TAB>TEXT, continuation lines joined.
readme_codes() {
	awk '/^Exit codes$/ { on = 1; next }
		on && /^-+$/ { next }
		on && /^[ \t]*$/ { if (n) exit; next }
		on && /^    [0-9]  / { n++; code[n] = $1; sub(/^ +[0-9] +/, ""); text[n] = $0; next }
		on && n && /^      / { sub(/^ +/, ""); text[n] = text[n] " " $0; next }
		on && n { exit }
		END { for (i = 1; i <= n; i++) printf "%s\t%s\n", code[i], text[i] }' "$top/README"
}

# README's paragraph of modes with their own codes, one line per mode:
# "--opt [--opt...]<TAB>codes" (e.g. "--detail --test<TAB>0 1 2 4").
readme_mode_codes() {
	awk '/^Modes with upstream.s own codes/ { on = 1 } on && /^[ \t]*$/ { exit } on' \
		"$top/README" | tr '\n' ' ' | awk '{
		s = $0
		while (match(s, /--[a-z-]+(( and)? --[a-z-]+)* \([^)]*\)/)) {
			m = substr(s, RSTART, RLENGTH); s = substr(s, RSTART + RLENGTH)
			opts = m; sub(/ \(.*/, "", opts); gsub(/ and /, " ", opts)
			inner = m; sub(/^[^(]*\(/, "", inner); sub(/\)$/, "", inner)
			codes = ""
			n = split(inner, w, /[^0-9]+/)
			for (i = 1; i <= n; i++)
				if (w[i] ~ /^[0-9]$/) codes = codes " " w[i]
			printf "%s\t%s\n", opts, substr(codes, 2)
		}
	}'
}

# The codes a page's EXIT STATUS lists at its top (entries ".TP / .B N").
page_codes() {
	entries "$1" | awk -F'\t' '$1 == "EXIT STATUS" && $2 == "" && $3 ~ /^\.B [0-9]+$/ { print $3 }' |
		sed 's/^\.B //' | sort -n | tr '\n' ' '
}

check_exit_codes() {
	local rc_all rc_mdadm rc_h codes n_bad=0 groups line
	rc_all=$(readme_codes)
	if [ -z "$rc_all" ]; then
		not_ok "README: cannot read the \"Exit codes\" list"
		return
	fi
	codes=$(cut -f1 <<<"$rc_all" | sort -n | tr '\n' ' ')
	rc_mdadm=$(grep -v 'mdmon only' <<<"$rc_all" | cut -f1 | sort -n | tr '\n' ' ')
	rc_h=$(grep -oE 'EXIT_[A-Z_]+ = [0-9]+' "$top/mdadm.h" | awk '{ print $3 }' | sort -n | tr '\n' ' ')
	if [ "$rc_h" != "$codes" ]; then
		not_ok "exit codes: mdadm.h has $rc_h, README lists $codes"
	else
		ok "exit codes: mdadm.h and README agree on $codes"
	fi
	if [ "$(page_codes "$man8")" != "$rc_mdadm" ]; then
		not_ok "exit codes: mdadm.8's EXIT STATUS lists $(page_codes "$man8"), README gives mdadm $rc_mdadm"
	else
		ok "exit codes: mdadm.8's EXIT STATUS lists README's $rc_mdadm"
	fi
	if [ "$(page_codes "$mon8")" != "$codes" ]; then
		not_ok "exit codes: mdmon.8's EXIT STATUS lists $(page_codes "$mon8"), README gives $codes"
	else
		ok "exit codes: mdmon.8's EXIT STATUS lists README's $codes"
	fi

	groups=$(readme_mode_codes)
	if [ -z "$groups" ]; then
		not_ok "README: cannot read the modes with upstream's own exit codes"
		return
	fi
	# README's groups against the mdadm.8 entries under EXIT STATUS: the
	# entry whose tag names every option of a group has each of its codes
	while IFS= read -r line; do
		not_ok "$line"
		n_bad=$((n_bad + 1))
	done < <(entries "$man8" | awk -F'\t' '$1 == "EXIT STATUS" && $2 != ""' | unescape |
		awk -F'\t' -v groups="$groups" '
		{ tag[NR] = $3; body[NR] = $4 }
		END {
			ng = split(groups, g, "\n")
			for (i = 1; i <= ng; i++) {
				split(g[i], parts, "\t"); no = split(parts[1], opt, " ")
				found = 0
				for (e = 1; e <= NR && !found; e++) {
					all = 1
					for (k = 1; k <= no; k++)
						if (tag[e] !~ ("(^|[^a-z0-9-])" opt[k] "([^a-z0-9-]|$)")) all = 0
					if (all) found = e
				}
				if (!found) {
					printf "mdadm.8\047s EXIT STATUS has no entry for %s (README gives it codes %s)\n", parts[1], parts[2]
					continue
				}
				nc = split(parts[2], code, " ")
				for (k = 1; k <= nc; k++)
					if (body[found] !~ ("(^|[^0-9.-])" code[k] "([^0-9.]|$)"))
						printf "mdadm.8\047s EXIT STATUS entry for %s lacks code %s (README: %s)\n", parts[1], code[k], parts[2]
			}
		}')
	[ "$n_bad" -eq 0 ] &&
		ok "mdadm.8's EXIT STATUS has README's codes of the $(wc -l <<<"$groups") modes with their own"
}

check_sources
check_render
[ -s "$man8" ] && check_mdadm_options
[ -s "$mon8" ] && check_mdmon_options
[ -s "$conf5" ] && check_conf_keywords
[ -s "$man8" ] && check_environment
[ -s "$man8" ] && [ -s "$mon8" ] && check_exit_codes
[ "$failed" -eq 0 ]
