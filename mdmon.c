/*
 * mdmon.c: the metadata daemon's lifecycle.
 *
 * Owns: the command line, checking the container, the pid file and the
 * control socket under /run/mdadm, daemonising with a ready handshake,
 * signals, --takeover of a running instance, starting the monitor thread
 * and running the manager loop.  Holds no metadata logic.
 *
 *   mdmon [--foreground] [--takeover] [--offroot] CONTAINER
 *   mdmon --all [--takeover] [--offroot]
 *
 * Exit status: 0 done, 1 failed, 2 usage, 3 refused (not a container we
 * handle, or already managed).
 */
#include "mdadm.h"
#include "mdmon.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <link.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

const char prog_name[] = "mdmon";

/* How long a connected client may stay silent before its first frame
 * (the same bound the manager puts on each part of a frame, §8.2). */
#define CLIENT_SILENCE_MS 3000

/* The safe-mode delay mdadm gives a volume when it starts it (IMSM: 4 s,
 * like the RST driver; md-build.c), and the bound under which a delay is
 * taken for the 1 ms an exiting instance leaves behind (§8.7). */
#define SAFE_MODE_DELAY "4.000"
#define DRAINED_DELAY_S 0.05

struct mdmon_opts {
	bool all, takeover, foreground, offroot;
	const char *container;
};

static const char usage_text[] =
	"Usage: mdmon [--foreground] [--takeover] [--offroot] CONTAINER\n"
	"       mdmon --all [--takeover] [--offroot]\n"
	"CONTAINER is /dev/md/NAME, /dev/mdN or mdN.\n";

static int parse_opts(int argc, char **argv, struct mdmon_opts *ret)
{
	static const struct option longs[] = {
		{ "all", no_argument, NULL, 'a' },       { "takeover", no_argument, NULL, 't' },
		{ "foreground", no_argument, NULL, 'F' }, { "offroot", no_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },      { "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*ret = (struct mdmon_opts){ 0 };
	opterr = 0;
	/* Boot scripts spell it --all-active-arrays: any --all... is --all. */
	for (int i = 1; i < argc; i++)
		if (strncmp(argv[i], "--all", 5) == 0)
			argv[i][5] = '\0';
	while ((c = getopt_long(argc, argv, "atFhV", longs, NULL)) != -1) {
		switch (c) {
		case 'a': ret->all = true; break;
		case 't': ret->takeover = true; break;
		case 'F': ret->foreground = true; break;
		case 'o': ret->offroot = true; break;
		case 'h': fputs(usage_text, stdout); exit(EXIT_OK);
		case 'V': fputs(MDMON_VERSION_LINE, stdout); exit(EXIT_OK);
		default:
			pr_err("unrecognized option '%s'; try 'mdmon --help'", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		ret->container = argv[optind++];
	if (optind < argc || (ret->all == (ret->container != NULL))) {
		pr_err("give exactly one container, or --all");
		return EXIT_USAGE;
	}
	return 0;
}

/* The container must be external metadata of a format we handle. */
static int check_container(const char *devnm)
{
	char level[16], meta[64];
	struct md_sysfs md;

	sysfs_init(&md, "/sys", devnm);
	if (sysfs_get_metadata_version(&md, meta, sizeof(meta)) < 0 ||
	    sysfs_get_level(&md, level, sizeof(level)) < 0)
		return -ENODEV;
	if (level[0] || strcmp(meta, "external:imsm") != 0)
		return -EMEDIUMTYPE;
	return 0;
}

static int connect_socket(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -errno;
	}
	return fd;
}

/*
 * The process is an mdmon, ours or another implementation's: its argv[0]
 * names mdmon, or "@dmon" after the --offroot rename (§8.6).  A pid file
 * left by a dead instance may name a recycled pid: never signal that one.
 */
static bool is_mdmon(pid_t pid)
{
	char path[64], argv0[256];

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	if (util_read_small_file(path, argv0, sizeof(argv0)) <= 0)
		return false;
	return strstr(argv0, "mdmon") || strstr(argv0, "@dmon");
}

/* The pid of a live instance owning this container, or 0. */
static pid_t running_instance(const struct mdmon_state *st)
{
	char buf[32];
	pid_t pid;
	int fd;

	if (util_read_small_file(st->pid_path, buf, sizeof(buf)) <= 0)
		return 0;
	pid = (pid_t)atoi(buf);
	if (pid <= 0 || pid == getpid() || kill(pid, 0) < 0 || !is_mdmon(pid))
		return 0;
	fd = connect_socket(st->sock_path);
	if (fd < 0)
		return 0;
	close(fd);
	return pid;
}

static int write_pid_file(const struct mdmon_state *st)
{
	char buf[32];
	int fd, n;

	(void)unlink(st->pid_path); /* stale, or a victim we replace */
	fd = open(st->pid_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if (write(fd, buf, (size_t)n) != n) {
		close(fd);
		return -EIO;
	}
	close(fd);
	return 0;
}

static int make_socket(struct mdmon_state *st)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	mode_t old;
	int fd, r = 0;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", st->sock_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	(void)unlink(st->sock_path);
	old = umask(077); /* only root may talk to us */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 10) < 0)
		r = -errno;
	umask(old);
	if (r) {
		close(fd);
		return r;
	}
	st->sock_fd = fd;
	return 0;
}

static int init_state(struct mdmon_state *st, const char *devnm)
{
	memset(st, 0, sizeof(*st));
	snprintf(st->container, sizeof(st->container), "%s", devnm);
	st->sysroot = "/sys";
	snprintf(st->pid_path, sizeof(st->pid_path), MDMON_RUN_DIR "/%s.pid", devnm);
	snprintf(st->sock_path, sizeof(st->sock_path), MDMON_RUN_DIR "/%s.sock", devnm);
	st->sock_fd = -1;
	pthread_mutex_init(&st->lock, NULL);
	pthread_cond_init(&st->pass_done, NULL);
	if (pipe2(st->wake_pipe, O_CLOEXEC | O_NONBLOCK) < 0 ||
	    pipe2(st->mgr_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return -errno;
	st->mdstat_fd = open("/proc/mdstat", O_RDONLY | O_CLOEXEC);
	if (st->mdstat_fd < 0)
		return -errno;
	return 0;
}

/* Fork; the parent exits with the status the daemon reports when ready. */
static int daemonize(int *ret_ready_fd)
{
	int p[2], status = EXIT_FAILED;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0) {
		close(p[1]);
		if (read(p[0], &status, sizeof(status)) != sizeof(status))
			status = EXIT_FAILED;
		exit(status);
	}
	close(p[0]);
	*ret_ready_fd = p[1];
	return 0;
}

static void report_ready(int *fd, int status)
{
	if (*fd < 0)
		return;
	if (write(*fd, &status, sizeof(status)) != sizeof(status))
		pr_err("cannot report start-up status to the parent");
	close(*fd);
	*fd = -1;
}

/*
 * An instance leaving on SIGTERM drops every volume's safe-mode delay to
 * 1 ms so that it goes clean at once (§8.7), and nobody puts it back: the
 * volume would then be marked dirty and clean in the metadata around every
 * burst of writes.  The successor restores the delay mdadm sets at start
 * on every volume of the container still showing such a drained value.
 */
static void restore_safe_mode(const struct mdmon_state *st)
{
	struct mdstat_array *stats;
	char parent[MDSTAT_NAME_MAX], delay[32];
	struct md_sysfs md;

	if (mdstat_read(NULL, &stats) < 0)
		return;
	for (struct mdstat_array *a = stats; a; a = a->next) {
		if (mdstat_container_of(a, parent, sizeof(parent)) < 0 ||
		    strcmp(parent, st->container) != 0)
			continue;
		sysfs_init(&md, st->sysroot, a->devnm);
		if (sysfs_read_attr(&md, NULL, "safe_mode_delay", delay, sizeof(delay)) < 0 ||
		    strtod(delay, NULL) >= DRAINED_DELAY_S)
			continue;
		if (sysfs_write_attr(&md, NULL, "safe_mode_delay", SAFE_MODE_DELAY) < 0)
			continue; /* the volume is stopping: nothing to restore */
	}
	mdstat_free(stats);
}

static int block_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGUSR1);
	signal(SIGPIPE, SIG_IGN);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0)
		return -EINVAL;
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

/* Returns true when SIGTERM or SIGINT arrived (SIGUSR1 only wakes). */
static bool termination_requested(int sfd)
{
	struct signalfd_siginfo si;
	bool term = false;

	while (read(sfd, &si, sizeof(si)) == sizeof(si))
		term |= si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT;
	return term;
}

/* A descriptor that polls readable once the process has exited (-1 on
 * kernels before 5.3: poll() then skips it and only sleeps). */
static int open_pidfd(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

/* Gone, or a zombie: it writes nothing any more. */
static bool process_gone(pid_t pid)
{
	char path[64], stat[256], *paren;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (util_read_small_file(path, stat, sizeof(stat)) <= 0)
		return true;
	paren = strrchr(stat, ')');
	return !paren || paren[1] != ' ' || paren[2] == 'Z' || paren[2] == 'X';
}

/*
 * Replace an older instance: ask it to leave and wait, with no bound,
 * until its process is gone (§8.6 step 10): its monitor may write the
 * metadata until then, and two monitors must never write one container.
 * SIGUSR1 every 200 ms wakes it while it drains (a drain takes at most
 * 5 s, drain_before_exit()); past 6 s, one line on stderr says what we
 * wait for (the victim is stopped, or stuck in the kernel).  Returns 0,
 * or -EINTR when we were told to stop meanwhile (nothing written yet).
 */
static int retire_victim(pid_t victim, int sfd)
{
	struct pollfd pfd[2] = { { .events = POLLIN }, { .fd = sfd, .events = POLLIN } };
	int r = 0;

	if (victim <= 0)
		return 0;
	pfd[0].fd = open_pidfd(victim);
	if (kill(victim, SIGTERM) < 0)
		goto close_pidfd; /* already gone */
	for (int i = 1; !process_gone(victim); i++) {
		int n = poll(pfd, 2, 200);

		if (n > 0 && (pfd[0].revents & POLLIN))
			break; /* it exited (its pid may be reused from now on) */
		if (n > 0 && (pfd[1].revents & POLLIN) && termination_requested(sfd)) {
			r = -EINTR;
			break;
		}
		(void)kill(victim, SIGUSR1);
		if (i == 30 && !process_gone(victim))
			pr_err("waiting for the previous mdmon (pid %d) to exit", (int)victim);
	}
close_pidfd:
	if (pfd[0].fd >= 0)
		close(pfd[0].fd);
	return r;
}

/*
 * Only root is served: a request rewrites metadata or reconfigures
 * arrays.  The socket's mode says as much, but a descriptor can be passed
 * on or the mode changed; the kernel's word on the peer is final.  One
 * line for a refused client (stderr: the terminal, or mdmon's journal
 * under systemd).
 */
static bool client_is_root(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || len != sizeof(cred)) {
		pr_err("refused a client whose credentials are unknown");
		return false;
	}
	if (cred.uid == 0)
		return true;
	pr_err("refused a client of uid %u (pid %d): only root is served", (unsigned int)cred.uid,
	       (int)cred.pid);
	return false;
}

/*
 * Serve the next client once it has sent something.  A successor taking
 * over connects first and, after its SIGTERM, waits for us to hang up
 * without ever sending a frame (§8.6 step 10): the signal must not wait
 * behind that silent client.  Returns true when termination was requested.
 */
static bool accept_client(struct mdmon_state *st, int sfd)
{
	struct pollfd pfd[2] = { { .events = POLLIN }, { .fd = sfd, .events = POLLIN } };
	int fd = accept4(st->sock_fd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return false;
	if (!client_is_root(fd)) {
		close(fd);
		return false;
	}
	pfd[0].fd = fd;
	while (poll(pfd, 2, CLIENT_SILENCE_MS) > 0) {
		if (pfd[0].revents) {
			manager_serve_client(st, fd); /* closes fd */
			return false;
		}
		if (termination_requested(sfd)) {
			close(fd);
			return true;
		}
	}
	close(fd); /* silent for too long, or poll failed */
	return false;
}

/* /proc/mdstat signals a change only after it was read through this fd
 * since the last one: read it to the end (it can exceed any one buffer). */
static void rearm_mdstat(int fd)
{
	char buf[4096];
	off_t off = 0;
	ssize_t n;

	while ((n = pread(fd, buf, sizeof(buf), off)) > 0)
		off += n;
}

/* The manager loop: sleeps until mdstat changes, a client connects or a
 * signal arrives (or a second passes while a spare waits for md).
 * Returns true when the container went away. */
static bool manager_loop(struct mdmon_state *st, int sfd)
{
	struct pollfd pfd[4] = {
		{ .fd = st->mdstat_fd, .events = POLLPRI },
		{ .fd = st->sock_fd, .events = POLLIN },
		{ .fd = sfd, .events = POLLIN },
		{ .fd = st->mgr_pipe[0], .events = POLLIN },
	};
	char buf[64];

	for (;;) {
		rearm_mdstat(st->mdstat_fd);
		if (manager_reconcile(st) == 0)
			return true;
		if (poll(pfd, 4, st->spare_deferred || st->n_removing ? 1000 : -1) < 0 &&
		    errno != EINTR)
			return false;
		while (read(st->mgr_pipe[0], buf, sizeof(buf)) > 0)
			;
		if ((pfd[2].revents & POLLIN) && termination_requested(sfd))
			return false;
		if ((pfd[1].revents & POLLIN) && accept_client(st, sfd))
			return false;
	}
}

static bool all_idle(struct mdmon_state *st)
{
	bool idle = true;

	pthread_mutex_lock(&st->lock);
	for (struct mon_array *a = st->arrays; a; a = a->next)
		idle &= a->gone || !strcmp(a->state, "clean") || !strcmp(a->state, "readonly") ||
			!strcmp(a->state, "read-auto") || !strcmp(a->state, "inactive") ||
			!a->state[0];
	pthread_mutex_unlock(&st->lock);
	return idle;
}

/*
 * SIGTERM (§8.7): make every array go idle quickly and keep serving it
 * until it is clean, so nothing stays dirty and no writer waits for a
 * daemon that is gone.  Bounded: a successor (--takeover) is waiting.
 */
static void drain_before_exit(struct mdmon_state *st)
{
	struct md_sysfs md;

	pthread_mutex_lock(&st->lock);
	for (struct mon_array *a = st->arrays; a; a = a->next) {
		sysfs_init(&md, st->sysroot, a->devnm);
		if (sysfs_write_attr(&md, NULL, "safe_mode_delay", "0.001") < 0)
			continue; /* the array is going away anyway */
	}
	pthread_mutex_unlock(&st->lock);
	for (int i = 0; i < 100 && !all_idle(st); i++) {
		mon_wait_passes(st);
		usleep(50 * 1000);
	}
}

static void stop_monitor(struct mdmon_state *st, pthread_t thread)
{
	pthread_mutex_lock(&st->lock);
	st->exiting = true;
	pthread_cond_broadcast(&st->pass_done);
	pthread_mutex_unlock(&st->lock);
	mon_wake(st);
	pthread_join(thread, NULL);
}

/*
 * Memory locking.  While a volume waits to be marked dirty, each of its
 * writers is blocked on the monitor thread.  Should the monitor then
 * fault on a page, reading it in or finding memory for it may wait for
 * writeback to that very volume: a deadlock.  So the memory the monitor
 * runs in is locked and resident before it starts.
 *
 * Static build (make MDMON_STATIC=1): mlockall(MCL_CURRENT | MCL_FUTURE)
 * pins the whole program, glibc's parts in it included (1.3 MiB resident
 * in the test VM, t6000).  The same call in a dynamic mdmon pins all of
 * libc.so as mapped (2.6 MiB), most of it code mdmon never runs.  The
 * dynamic build (the default, as distributions build it; 1.3 MiB too)
 * locks instead:
 *  - our own program whole, and every mapping that is written (data,
 *    bss, heap with the metadata I/O buffer, stacks, libraries' data):
 *    locked and populated now;
 *  - mappings made later (the monitor's stack, heap growth): locked and
 *    populated as they are made (MCL_FUTURE);
 *  - the shared libraries' read-only mappings (code, constants): locked
 *    on fault (MCL_ONFAULT), so a page stays once it was used, and
 *    warm_up_library() runs the library code the monitor runs to record
 *    a state change before the monitor starts.  Symbols were bound at
 *    start (linked with -z now): no lazy lookup runs later.
 * The trade-off: a library page that the warm-up did not reach (a branch
 * of libc the monitor takes for the first time) is read in when the
 * monitor first needs it, normally from the page cache, at worst from the
 * root file system, once.  The static build has no such page.
 * Failures are not fatal (RLIMIT_MEMLOCK when not root): the daemon runs
 * unlocked rather than not at all.
 */

/* dl_iterate_phdr: counts the shared libraries (the kernel's vdso is
 * none; the program itself comes first, without a name). */
static int count_libraries(struct dl_phdr_info *info, size_t size, void *ret_libs)
{
	(void)size;
	if (info->dlpi_name && info->dlpi_name[0] && !strstr(info->dlpi_name, "vdso"))
		++*(int *)ret_libs;
	return 0;
}

/* dl_iterate_phdr: lock and populate the program's own segments. */
static int lock_program(struct dl_phdr_info *info, size_t size, void *unused)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);

	(void)size;
	(void)unused;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t start = info->dlpi_addr + ph->p_vaddr, end = start + ph->p_memsz;

		if (ph->p_type != PT_LOAD)
			continue;
		start &= ~(page - 1);
		(void)mlock((void *)start, end - start); /* not fatal, see above */
	}
	return 1; /* the first object is the program: done */
}

/* Lock and populate every mapping that is writable now. */
static void lock_writable_mappings(void)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[PATH_MAX + 128], perms[8];
	unsigned long start, end;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (!strchr(line, '\n')) { /* a path longer than line: skip its tail */
			int c;

			while ((c = fgetc(f)) != EOF && c != '\n')
				;
		}
		if (sscanf(line, "%lx-%lx %7s", &start, &end, perms) == 3 && perms[1] == 'w')
			(void)mlock((void *)start, end - start);
	}
	fclose(f);
}

/*
 * The C library code the monitor runs to record a state change: read the
 * array's files, decide, encode the metadata into the I/O buffer, write
 * it, fsync, tell md, wake and be woken.  Calls on fd -1 run the same
 * library code as real ones (only the kernel refuses them).  Sizes are
 * opaque to the compiler so that it calls the library rather than copying
 * inline, and results are used so that no call is dropped.  The I/O
 * buffer holds nothing yet; its tail past the MPB stays zero.
 */
static void warm_up_library(struct mdmon_state *st)
{
	volatile size_t mpb = MDMON_IO_MPB_BYTES, sector = 512;
	struct pollfd pfd = { .fd = -1 };
	unsigned char *io = st->io_buf;
	volatile long sink;
	char buf[64];
	long n;

	n = pwrite(-1, io, sector, 0) + pread(-1, buf, sizeof(buf), 0);
	n += write(-1, buf, 1) + read(-1, buf, 1) + fsync(-1) + poll(&pfd, 1, 0);
	memset(io, 0, mpb);
	memcpy(io, io + mpb, sector);
	memmove(io + sector, io, sector);
	n += snprintf(buf, sizeof(buf), "%s %d %u %llu %lu %x", "active", -1, 1U, 1ULL, 1UL, 255U);
	n += (long)strtoull(buf + 10, NULL, 10) + strcmp(buf, "clean") + strncmp(buf, "act", sector);
	n += (long)strlen(buf) + memcmp(buf, io, sector / 64) + (strstr(buf, "255") != NULL);
	n += strchr(buf, ' ') != NULL;
	pthread_mutex_lock(&st->lock);
	pthread_cond_broadcast(&st->pass_done);
	pthread_mutex_unlock(&st->lock);
	sink = n;
	(void)sink;
}

static void lock_memory(struct mdmon_state *st)
{
	int libs = 0;

	(void)dl_iterate_phdr(count_libraries, &libs);
	if (libs == 0) {
		(void)mlockall(MCL_CURRENT | MCL_FUTURE);
		return;
	}
	/* everything locked on fault first; then what must be there now */
	(void)mlockall(MCL_CURRENT | MCL_ONFAULT);
	(void)dl_iterate_phdr(lock_program, NULL);
	lock_writable_mappings();
	if (st->io_buf) /* allocated with the metadata, before we are called */
		warm_up_library(st);
	/* MCL_FUTURE alone leaves the current mappings' locks as they are */
	(void)mlockall(MCL_FUTURE);
}

/* The monitor needs little stack; locked, a default 8 MiB stack would all
 * be resident. */
static int start_monitor(struct mdmon_state *st, pthread_t *ret)
{
	pthread_attr_t attr;
	int r;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 128 * 1024);
	r = pthread_create(ret, &attr, monitor_thread, st);
	pthread_attr_destroy(&attr);
	return r;
}

static void detach_from_terminal(void)
{
	int fd = open("/dev/null", O_RDWR);

	(void)setsid();
	if (fd < 0)
		return;
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
}

static int start_daemon(struct mdmon_state *st, const struct mdmon_opts *o, int sfd,
			int *ready_fd)
{
	pid_t victim = running_instance(st);
	int r;

	if (victim && !o->takeover) {
		pr_err("%s is already managed by mdmon (pid %d)", st->container, (int)victim);
		return EXIT_REFUSED;
	}
	if (!o->foreground && daemonize(ready_fd) < 0)
		return EXIT_FAILED;
	(void)mkdir(MDMON_RUN_DIR, 0755);
	r = write_pid_file(st);
	if (!r)
		r = make_socket(st);
	if (r) {
		pr_err("cannot create %s files: %s", MDMON_RUN_DIR, strerror(-r));
		return EXIT_FAILED;
	}
	if (retire_victim(victim, sfd) < 0) {
		pr_err("stopped while waiting for the previous mdmon (pid %d)", (int)victim);
		return EXIT_FAILED;
	}
	restore_safe_mode(st);
	return EXIT_OK;
}

static void remove_files(const struct mdmon_state *st)
{
	(void)unlink(st->sock_path);
	(void)unlink(st->pid_path);
}

static int run_container(const char *name, const struct mdmon_opts *o)
{
	struct mdmon_state st;
	int sfd, ready_fd = -1, r;
	pthread_t thread;
	char devnm[32];
	bool gone;

	if (strncmp(name, "initrd/", 7) == 0)
		name += 7;
	if (util_md_devnm("/sys", name, devnm, sizeof(devnm)) < 0 || check_container(devnm) < 0) {
		pr_err("%s is not an IMSM container", name);
		return EXIT_REFUSED;
	}
	if (init_state(&st, devnm) < 0 || (sfd = block_signals()) < 0) {
		pr_err("cannot initialise: %s", strerror(errno));
		return EXIT_FAILED;
	}
	r = start_daemon(&st, o, sfd, &ready_fd);
	if (!r && manager_load_metadata(&st) < 0)
		r = EXIT_FAILED;
	if (r) {
		report_ready(&ready_fd, r);
		return r;
	}
	/* before the monitor starts: it must never wait for a page */
	lock_memory(&st);
	if (start_monitor(&st, &thread) != 0) {
		report_ready(&ready_fd, EXIT_FAILED);
		return EXIT_FAILED;
	}
	report_ready(&ready_fd, EXIT_OK);
	if (!o->foreground)
		detach_from_terminal();
	gone = manager_loop(&st, sfd);
	if (!gone)
		drain_before_exit(&st);
	stop_monitor(&st, thread);
	manager_free_arrays(&st);
	manager_close_disks(&st);
	if (gone)
		remove_files(&st); /* after SIGTERM a successor owns them */
	return EXIT_OK;
}

/* --all: one daemon per container in /proc/mdstat, each its own process. */
static int run_all(const struct mdmon_opts *o)
{
	struct mdstat_array *stats;
	int rc = EXIT_OK, status;
	pid_t pid;

	if (mdstat_read(NULL, &stats) < 0) {
		pr_err("cannot read /proc/mdstat");
		return EXIT_FAILED;
	}
	for (struct mdstat_array *a = stats; a; a = a->next) {
		if (!mdstat_is_container(a))
			continue;
		pid = fork();
		if (pid == 0)
			exit(run_container(a->devnm, o));
		if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
		    (WEXITSTATUS(status) != EXIT_OK && WEXITSTATUS(status) != EXIT_REFUSED))
			rc = EXIT_FAILED;
	}
	mdstat_free(stats);
	return rc;
}

int main(int argc, char **argv)
{
	struct mdmon_opts o;
	int r;

	r = parse_opts(argc, argv, &o);
	if (r)
		return r;
	/* "@" as the first character asks systemd to spare us at shutdown
	 * and across the switch from the initramfs. */
	if (o.offroot || access("/etc/initrd-release", F_OK) == 0)
		argv[0][0] = '@';
	return o.all ? run_all(&o) : run_container(o.container, &o);
}
