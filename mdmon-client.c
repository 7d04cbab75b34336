/*
 * mdmon-client.c: starting and pinging mdmon from mdadm (see
 * mdmon-client.h), through systemd when it manages the services.  Owns
 * the client half of the wire format; mdmon.c and managemon.c own the
 * server half.  Prints only the warning of a unit systemd did not start.
 */
#include "mdadm.h"
#include "mdmon-client.h"
#include "mdmon.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define PING_TIMEOUT_MS 20000

/* How long an mdmon that systemd started may take to answer, and how
 * often we look (a slow machine starts it in well under a second). */
#define UNIT_ANSWER_MS 15000
#define UNIT_POLL_MS 100

bool mdmon_running(const char *container_devnm)
{
	char path[96], buf[32];
	pid_t pid;

	snprintf(path, sizeof(path), MDMON_RUN_DIR "/%s.pid", container_devnm);
	if (util_read_small_file(path, buf, sizeof(buf)) <= 0)
		return false;
	pid = (pid_t)atoi(buf);
	return pid > 0 && kill(pid, 0) == 0;
}

/* The mdmon that belongs with this mdadm: the one beside our binary. */
static void mdmon_path(char *buf, size_t len)
{
	char self[PATH_MAX + 8];
	ssize_t n = readlink("/proc/self/exe", self, PATH_MAX - 1);
	char *slash;

	snprintf(buf, len, "mdmon");
	if (n <= 0)
		return;
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (!slash)
		return;
	strcpy(slash + 1, "mdmon");
	if (strlen(self) < len)
		strcpy(buf, self);
	if (access(buf, X_OK) != 0)
		snprintf(buf, len, "mdmon");
}

/* Fork and exec our mdmon; it exits once the daemon it forked is ready. */
static int fork_mdmon(const char *container_devnm)
{
	char path[PATH_MAX];
	int status;
	pid_t pid;

	mdmon_path(path, sizeof(path));
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execlp(path, "mdmon", container_devnm, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	/* refused as already managed: the unit's mdmon came up meanwhile */
	return mdmon_running(container_devnm) ? 0 : -ECHILD;
}

static bool systemd_in_charge(void)
{
	const char *no = getenv("MDADM_NO_SYSTEMCTL");
	struct stat sb;

	if (no && strcmp(no, "1") == 0)
		return false;
	return stat("/run/systemd/system", &sb) == 0 && S_ISDIR(sb.st_mode);
}

int systemd_unit_name(char *buf, size_t len, const char *template_name, const char *devnm)
{
	const char *prefix = access("/etc/initrd-release", F_OK) == 0 ? "initrd-" : "";
	int n = snprintf(buf, len, "%s@%s%s.service", template_name, prefix, devnm);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* systemctl's output would land in ours (udev parses -I --export's). */
static void exec_systemctl(const char *unit)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (fd >= 0 && (dup2(fd, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0))
		_exit(126);
	execlp("systemctl", "systemctl", "start", unit, (char *)NULL);
	_exit(127);
}

int systemd_start_unit(const char *unit, const char *instead)
{
	int status;
	pid_t pid;

	if (!systemd_in_charge())
		return -ENOSYS;
	pid = fork();
	if (pid == 0)
		exec_systemctl(unit);
	if (pid < 0 || waitpid(pid, &status, 0) < 0) {
		int r = -errno;

		pr_err("warning: cannot run systemctl to start %s: %s; %s", unit, strerror(-r),
		       instead);
		return r;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		pr_err("warning: no systemctl on PATH to start %s; %s", unit, instead);
	else if (WIFEXITED(status))
		pr_err("warning: systemctl start %s failed (exit status %d); %s", unit,
		       WEXITSTATUS(status), instead);
	else
		pr_err("warning: systemctl start %s was killed by signal %d; %s", unit,
		       WTERMSIG(status), instead);
	return -ECHILD;
}

/* systemd starts a service and returns: wait until its mdmon answers. */
static int wait_unit_mdmon(const char *container_devnm)
{
	int r = -ETIMEDOUT;

	for (int ms = 0; ms < UNIT_ANSWER_MS; ms += UNIT_POLL_MS) {
		r = mdmon_running(container_devnm) ? mdmon_ping(container_devnm) : -ESRCH;
		if (!r)
			return 0;
		usleep(UNIT_POLL_MS * 1000);
	}
	return r;
}

int mdmon_start(const char *container_devnm)
{
	char unit[96];
	int r;

	if (getenv("MDADM_NO_MDMON") || mdmon_running(container_devnm))
		return 0;
	r = systemd_unit_name(unit, sizeof(unit), "mdmon", container_devnm);
	if (!r)
		r = systemd_start_unit(unit, "starting mdmon directly");
	if (!r) {
		r = wait_unit_mdmon(container_devnm);
		if (!r)
			return 0;
		pr_err("warning: the mdmon of %s does not answer for %s: %s; starting mdmon directly",
		       unit, container_devnm, strerror(-r));
	}
	return fork_mdmon(container_devnm);
}

static int connect_mdmon(const char *container_devnm)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	snprintf(sa.sun_path, sizeof(sa.sun_path), MDMON_RUN_DIR "/%s.sock", container_devnm);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	return fd;
}

/* The reply frame: magic, length, payload, end magic.  The payload is
 * copied to ret (NUL-terminated, cut to fit) when ret is not NULL. */
static int recv_reply_text(int fd, char *ret, size_t ret_len)
{
	uint32_t head[2], end;
	char payload[256];
	int32_t len;
	int r;

	r = util_read_full(fd, head, sizeof(head), PING_TIMEOUT_MS);
	if (r)
		return r;
	len = (int32_t)head[1];
	if (head[0] != MDMON_MAGIC_START || len < 0 || (size_t)len > sizeof(payload))
		return -EPROTO;
	r = util_read_full(fd, payload, (size_t)len, PING_TIMEOUT_MS);
	if (!r)
		r = util_read_full(fd, &end, sizeof(end), PING_TIMEOUT_MS);
	if (!r && end != MDMON_MAGIC_END)
		r = -EPROTO;
	if (!r && ret && ret_len)
		snprintf(ret, ret_len, "%.*s", (int)len, payload);
	return r;
}

static int recv_reply(int fd)
{
	return recv_reply_text(fd, NULL, 0);
}

static int send_frame(int fd, const void *payload, int32_t len)
{
	uint32_t head[2] = { MDMON_MAGIC_START, (uint32_t)len }, end = MDMON_MAGIC_END;
	int r = util_write_full(fd, head, sizeof(head));

	if (!r && len > 0)
		r = util_write_full(fd, payload, (size_t)len);
	if (!r)
		r = util_write_full(fd, &end, sizeof(end));
	return r;
}

int mdmon_ping(const char *container_devnm)
{
	int fd = connect_mdmon(container_devnm), r;

	if (fd < 0)
		return fd;
	r = send_frame(fd, NULL, 0);
	if (!r)
		r = recv_reply(fd);
	close(fd);
	return r;
}

bool mdmon_is_ours(const char *container_devnm)
{
	static const char ours[] = MDMON_VERSION_LINE;
	char version[256] = "";
	int fd = connect_mdmon(container_devnm), r;

	if (fd < 0)
		return false;
	r = send_frame(fd, NULL, 0);
	if (!r)
		r = recv_reply_text(fd, version, sizeof(version));
	close(fd);
	return !r && strncmp(version, ours, sizeof(ours) - 2) == 0; /* less the newline */
}

int mdmon_send_update(const char *container_devnm, const void *buf, size_t len)
{
	int fd, r;

	if (len == 0 || len > MDMON_MAX_PAYLOAD)
		return -EMSGSIZE;
	fd = connect_mdmon(container_devnm);
	if (fd < 0)
		return fd;
	r = send_frame(fd, buf, (int32_t)len);
	if (!r)
		r = recv_reply(fd); /* acknowledged: queued and validated */
	if (!r)
		r = send_frame(fd, NULL, 0);
	if (!r)
		r = recv_reply(fd); /* pinged: applied and on disk */
	close(fd);
	return r;
}

/*
 * mdmon's answer to a migration start: an empty frame (taken, queued), or
 * a frame carrying the int32_t -errno that refused it (a start built from
 * metadata older than mdmon's: -ESTALE).
 */
static int recv_ack_or_result(int fd)
{
	uint32_t head[2], end;
	int32_t res = 0;
	int r;

	r = util_read_full(fd, head, sizeof(head), PING_TIMEOUT_MS);
	if (r)
		return r;
	if (head[0] != MDMON_MAGIC_START || (head[1] != 0 && head[1] != sizeof(res)))
		return -EPROTO;
	if (head[1])
		r = util_read_full(fd, &res, sizeof(res), PING_TIMEOUT_MS);
	if (!r)
		r = util_read_full(fd, &end, sizeof(end), PING_TIMEOUT_MS);
	if (!r && end != MDMON_MAGIC_END)
		r = -EPROTO;
	if (!r && res > 0)
		r = -EPROTO;
	return r ? r : res;
}

int mdmon_start_migration(const char *container_devnm, const void *mpb, size_t len)
{
	unsigned char *buf;
	int fd, r;

	if (len == 0 || len > MDMON_MAX_PAYLOAD - MDMON_MIGR_MAGIC_BYTES)
		return -EMSGSIZE;
	buf = malloc(len + MDMON_MIGR_MAGIC_BYTES);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, MDMON_MIGR_MAGIC, MDMON_MIGR_MAGIC_BYTES);
	memcpy(buf + MDMON_MIGR_MAGIC_BYTES, mpb, len);
	fd = connect_mdmon(container_devnm);
	r = fd < 0 ? fd : send_frame(fd, buf, (int32_t)(len + MDMON_MIGR_MAGIC_BYTES));
	free(buf);
	if (!r)
		r = recv_ack_or_result(fd);
	if (!r)
		r = send_frame(fd, NULL, 0);
	if (!r)
		r = recv_reply(fd); /* pinged: applied and on disk */
	if (fd >= 0)
		close(fd);
	return r;
}

/* The answer to a disk request: one frame carrying an int32_t result. */
static int recv_result(int fd, int32_t *ret)
{
	uint32_t head[2], end;
	int32_t res;
	int r;

	/* no timeout, as for update batches: mdmon writes metadata and
	 * reconfigures arrays before it answers */
	r = util_read_full(fd, head, sizeof(head), -1);
	if (r)
		return r;
	if (head[0] != MDMON_MAGIC_START || head[1] != sizeof(res))
		return -EPROTO;
	r = util_read_full(fd, &res, sizeof(res), PING_TIMEOUT_MS);
	if (!r)
		r = util_read_full(fd, &end, sizeof(end), PING_TIMEOUT_MS);
	if (!r && end != MDMON_MAGIC_END)
		r = -EPROTO;
	if (!r)
		*ret = res;
	return r;
}

/* One request frame, its int32_t answer, then a ping: on disk, seen by
 * the monitor. */
static int send_request(const char *container_devnm, const void *req, int32_t len)
{
	int32_t res = 0;
	int fd, r;

	fd = connect_mdmon(container_devnm);
	if (fd < 0)
		return fd;
	r = send_frame(fd, req, len);
	if (!r)
		r = recv_result(fd, &res);
	if (!r && res > 0)
		r = -EPROTO;
	if (!r)
		r = res;
	if (!r)
		r = send_frame(fd, NULL, 0);
	if (!r)
		r = recv_reply(fd);
	close(fd);
	return r;
}

int mdmon_disk_request(const char *container_devnm, enum mdmon_req_type type,
		       unsigned int major, unsigned int minor)
{
	struct mdmon_disk_req req = { .type = type, .major = major, .minor = minor };

	memcpy(req.magic, MDMON_REQ_MAGIC, sizeof(req.magic));
	return send_request(container_devnm, &req, (int32_t)sizeof(req));
}

int mdmon_volume_request(const char *container_devnm, enum mdmon_vol_type type, int index,
			 const char *name)
{
	struct mdmon_vol_req req = { .type = type, .index = (uint32_t)index };

	memcpy(req.magic, MDMON_VOL_MAGIC, sizeof(req.magic));
	if (name && strlen(name) > sizeof(req.name))
		return -ENAMETOOLONG;
	if (name)
		memcpy(req.name, name, strlen(name));
	return send_request(container_devnm, &req, (int32_t)sizeof(req));
}
