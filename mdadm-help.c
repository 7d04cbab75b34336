/*
 * mdadm-help.c: --help, MODE --help and --help-options texts, and the
 * names modes have in messages.  Text only; our own words, upstream's
 * option spellings.
 */
#include "mdadm-options.h"

static const char *const mode_names[MODE_COUNT] = {
	[MODE_NONE] = "none",
	[MODE_CREATE] = "create",
	[MODE_ASSEMBLE] = "assemble",
	[MODE_INCREMENTAL] = "incremental",
	[MODE_GROW] = "grow",
	[MODE_MANAGE] = "manage",
	[MODE_EXAMINE] = "examine",
	[MODE_DETAIL] = "detail",
	[MODE_QUERY] = "query",
	[MODE_STOP] = "stop",
	[MODE_WAIT] = "wait",
	[MODE_VERSION] = "version",
	[MODE_HELP] = "help",
	[MODE_ZERO_SUPERBLOCK] = "zero-superblock",
	[MODE_KILL_SUBARRAY] = "kill-subarray",
	[MODE_UPDATE_SUBARRAY] = "update-subarray",
	[MODE_DETAIL_PLATFORM] = "detail-platform",
	[MODE_WAIT_CLEAN] = "wait-clean",
	[MODE_RUN] = "run",
	[MODE_READONLY] = "readonly",
	[MODE_READWRITE] = "readwrite",
	[MODE_ACTION] = "action",
	[MODE_EXAMINE_BADBLOCKS] = "examine-badblocks",
	[MODE_EXAMINE_BITMAP] = "examine-bitmap",
	[MODE_BUILD] = "build",
	[MODE_MONITOR] = "monitor",
	[MODE_AUTODETECT] = "auto-detect",
};

const char *mode_name(enum mode mode)
{
	return mode < MODE_COUNT && mode_names[mode] ? mode_names[mode] : "?";
}

static const char help_general[] =
	"mdadm creates, assembles, grows and reports on Linux md arrays with\n"
	"Intel Matrix Storage (IMSM) metadata.\n"
	"Usage: mdadm --create md-device options... devices|container\n"
	"       mdadm --assemble md-device devices...  |  mdadm --assemble --scan\n"
	"       mdadm --incremental device  |  --incremental --fail device\n"
	"       mdadm --grow md-device options...\n"
	"       mdadm --manage md-device --add|--remove|--fail devices...\n"
	"       mdadm --misc --detail|--examine|--stop|--zero-superblock|... devices...\n"
	"       mdadm md-device --add|--remove|--fail devices...   (manage, short form)\n"
	"       mdadm md-device                                   (query)\n"
	"\n"
	"Modes:  -C --create  -A --assemble  -I --incremental  -G --grow  --manage  --misc\n"
	"Misc:   -D --detail  -E --examine  -Q --query  -S --stop  -W --wait  --wait-clean\n"
	"        -R --run  -o --readonly  -w --readwrite  --zero-superblock  --detail-platform\n"
	"        --kill-subarray=N  --update-subarray=N  --action=ACTION  --examine-badblocks\n"
	"\n"
	"'mdadm MODE --help' explains a mode; 'mdadm --help-options' lists the options.\n"
	"Exit status: 0 success, 1 failure (a refused request changes nothing), 2 bad\n"
	"command line.\n";

static const char help_options[] =
	"Options valid in every mode:\n"
	"  -h --help  -V --version  -v --verbose  -q --quiet  -b --brief  -Y --export\n"
	"  --json  --no-devices  --homehost=NAME  --offroot\n"
	"Creating and growing:\n"
	"  -e --metadata=imsm  -l --level=L  -n --raid-devices=N (--raid-disks)\n"
	"  -x --spare-devices=N  -c --chunk=KiB  -z --size=KiB|max  -Z --array-size=KiB|max\n"
	"  --layout=L (--parity)  --assume-clean  -N --name=NAME  -u --uuid=UUID  --auto=X\n"
	"  --bitmap=none  -k --consistency-policy=resync|ppl  --backup-file=F  --continue\n"
	"  --dry-run  -R --run  -f --force\n"
	"Assembling:\n"
	"  -s --scan  -c --config=FILE  -u --uuid=UUID  -N --name=NAME  -U --update=WHAT\n"
	"  --no-degraded  --freeze-reshape  -o --readonly  -R --run  -f --force\n"
	"Incremental:\n"
	"  -R --run  -s --scan  -r --rebuild-map  -f --fail  --path=PATH  -c --config=FILE\n"
	"Managing:\n"
	"  -a --add  --add-spare  -r --remove  -f --fail  --set-faulty  -S --stop  -R --run\n"
	"  -o --readonly  -w --readwrite  (--remove/--fail take 'failed' and 'detached')\n"
	"Sizes take K, M, G or T suffixes (powers of 1024); a bare number is KiB.\n";

static const char help_create[] =
	"Usage: mdadm --create md-container --metadata=imsm --raid-devices=N devices...\n"
	"       mdadm --create md-volume --level=L --raid-devices=N container|devices...\n"
	"\n"
	"A container is made of whole disks; volumes (up to two) are made in it.  Naming\n"
	"the member disks instead of the container finds their container.  Disks that\n"
	"hold a file system, a partition table or other RAID metadata are reported and\n"
	"need confirmation, or --run.\n"
	"\n"
	"  -e --metadata=imsm      the container's format\n"
	"  -l --level=0|1|5|10     the volume's RAID level\n"
	"  -n --raid-devices=N     disks in the array (--raid-disks); 'missing' holds a slot\n"
	"  -x --spare-devices=N    extra disks of a container, kept as spares\n"
	"  -c --chunk=KiB          chunk size of a volume\n"
	"  -z --size=KiB|max       space used on each member\n"
	"  -N --name=NAME          the volume's name (else from /dev/md/NAME)\n"
	"  --assume-clean          skip the initial resync\n"
	"  -R --run                do not ask for confirmation\n"
	"  -f --force              take disks with old metadata; allow one-disk arrays\n"
	"  --auto=X, --homehost=H  accepted, as upstream; they change nothing here\n";

static const char help_assemble[] =
	"Usage: mdadm --assemble md-device devices...\n"
	"       mdadm --assemble --scan [md-device...]\n"
	"\n"
	"Starts a container from its disks and then its volumes.  With --scan the\n"
	"arrays come from the config file (/etc/mdadm/mdadm.conf or --config) and the\n"
	"disks it allows; without ARRAY lines every IMSM container found is started.\n"
	"An interrupted reshape restarts at its checkpoint.\n"
	"\n"
	"  -s --scan  -c --config=FILE  -u --uuid=UUID  -N --name=NAME  -U --update=WHAT\n"
	"  --no-degraded  --freeze-reshape  -o --readonly  -R --run  -f --force\n";

static const char help_incremental[] =
	"Usage: mdadm --incremental device        add a device as udev found it\n"
	"       mdadm --incremental --fail device [--path=PATH]   a device went away\n"
	"       mdadm --incremental --rebuild-map       rebuild /run/mdadm/map\n"
	"       mdadm --incremental --run --scan        start what is complete enough\n";

static const char help_grow[] =
	"Usage: mdadm --grow md-container --raid-devices=N       add disks to every volume\n"
	"       mdadm --grow --continue md-container             resume an interrupted reshape\n"
	"\n"
	"  -n --raid-devices=N  -l --level=L  -c --chunk=KiB  -z --size=KiB|max\n"
	"  -Z --array-size=KiB|max  --layout=L  --backup-file=F (not needed for IMSM)\n"
	"  --continue  --dry-run\n";

static const char help_manage[] =
	"Usage: mdadm [--manage] md-device [--add|--remove|--fail devices...]\n"
	"             [--stop|--run|--readonly|--readwrite]\n"
	"\n"
	"--add on a container adds a spare; --remove takes a spare or failed disk out;\n"
	"--fail (--set-faulty) fails a member of a volume.  'failed' and 'detached'\n"
	"stand for every such member.\n";

static const char help_misc[] =
	"Usage: mdadm --misc ACTION devices...\n"
	"\n"
	"  -D --detail [--scan] [--export|--json|--brief|--test]   a running array\n"
	"  -E --examine [--scan] [--export|--json|--brief]         a member disk\n"
	"  -Q --query   -S --stop [--scan]   -W --wait   --wait-clean [--scan]\n"
	"  -R --run   -o --readonly   -w --readwrite   --action=check|repair|idle|frozen\n"
	"  --zero-superblock [--force]   --examine-badblocks   --detail-platform\n"
	"  --kill-subarray=N container   --update-subarray=N --update=name -N NAME container\n";

static const char help_monitor[] =
	"Usage: mdadm --monitor [options] {--scan | md-devices...}\n"
	"Reports events (Fail, DegradedArray, RebuildNN, SpareActive, ...) of running arrays.\n"
	"  -s --scan            every array in /proc/mdstat, and new ones as they appear\n"
	"  -m --mail=ADDR       mail failures and tests (MAILADDR in mdadm.conf)\n"
	"  -p --program=CMD     run CMD EVENT MD [DEV] for each event (PROGRAM)\n"
	"  -y --syslog          log each event to syslog\n"
	"  -d --delay=S         seconds between progress checks while a sync runs (60)\n"
	"  -r --increment=N     RebuildNN every N percent (20)\n"
	"  -f --daemonise       run in the background; -i --pid-file=F its pid\n"
	"  -1 --oneshot         one pass, then exit   -t --test   a TestMessage per array\n"
	"  --no-sharing         do not move spares between containers of a spare-group\n";

static const char help_build[] =
	"--build assembles arrays without metadata; IMSM arrays always have metadata.\n";

int mode_help(const struct request *req)
{
	static const char *const by_major[MJ_COUNT + 1] = {
		[MJ_NONE] = help_general,         [MJ_ASSEMBLE] = help_assemble,
		[MJ_BUILD] = help_build,          [MJ_CREATE] = help_create,
		[MJ_MONITOR] = help_monitor,      [MJ_GROW] = help_grow,
		[MJ_INCREMENTAL] = help_incremental, [MJ_MANAGE] = help_manage,
		[MJ_MISC] = help_misc,            [MJ_AUTODETECT] = help_general,
		[MJ_COUNT] = help_options,
	};
	int which = req->help_for;

	if (which < 0 || which > MJ_COUNT)
		which = MJ_NONE;
	fputs(by_major[which], stdout);
	return EXIT_OK;
}
