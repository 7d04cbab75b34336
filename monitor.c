/*
 * monitor.c: mdmon's monitor thread.
 *
 * Owns: watching every member array of the container through its pollable
 * sysfs files and reacting to what the kernel reports.  It sleeps in
 * poll() until the kernel or the manager wakes it: no periodic wake-ups.
 * Never waits on mdadm, never allocates, never talks to clients.
 *
 * FIXME(issue 4): reacting to write-pending (mark the volume dirty in the
 * metadata, then let the kernel go on), clean marking, checkpoints,
 * failures and spare activation arrive with the IMSM metadata writer.
 * Until then the monitor only observes and records states.
 */
#include "mdadm.h"
#include "mdmon.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

void mon_wake(struct mdmon_state *st)
{
	char c = 1;

	/* A full pipe already means "wake up": nothing is lost. */
	if (write(st->wake_pipe[1], &c, 1) < 0 && errno != EAGAIN)
		return;
}

void mon_wait_passes(struct mdmon_state *st)
{
	unsigned long target, seen;

	pthread_mutex_lock(&st->lock);
	/* The pass running now may have started before our change: wait
	 * for the one after it as well. */
	target = st->passes + 2;
	while (st->passes < target && !st->exiting) {
		/* Wake first, then wait for a pass: the monitor drains the
		 * pipe before each pass, so a pass follows this wake-up even
		 * if it completes before we sleep. */
		seen = st->passes;
		pthread_mutex_unlock(&st->lock);
		mon_wake(st);
		pthread_mutex_lock(&st->lock);
		while (st->passes == seen && !st->exiting)
			pthread_cond_wait(&st->pass_done, &st->lock);
	}
	pthread_mutex_unlock(&st->lock);
}

static void drain_wake_pipe(int fd)
{
	char buf[64];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

/* One pass: re-read every array's state.  Returns the pollfd count. */
static int monitor_pass(struct mdmon_state *st, struct pollfd *pfd)
{
	int n = 0;

	pthread_mutex_lock(&st->lock);
	for (struct mon_array *a = st->arrays; a && n < MDMON_MAX_ARRAYS; a = a->next) {
		if (util_pread_string(a->state_fd, a->state, sizeof(a->state)) < 0)
			a->state[0] = '\0';
		pfd[n++] = (struct pollfd){ .fd = a->state_fd, .events = POLLPRI };
	}
	st->passes++;
	pthread_cond_broadcast(&st->pass_done);
	pthread_mutex_unlock(&st->lock);
	return n;
}

void *monitor_thread(void *arg)
{
	struct mdmon_state *st = arg;
	struct pollfd pfd[MDMON_MAX_ARRAYS + 1];
	bool exiting = false;
	int n;

	while (!exiting) {
		n = monitor_pass(st, pfd);
		pfd[n++] = (struct pollfd){ .fd = st->wake_pipe[0], .events = POLLIN };
		if (poll(pfd, (nfds_t)n, -1) > 0 && (pfd[n - 1].revents & POLLIN))
			drain_wake_pipe(st->wake_pipe[0]);
		pthread_mutex_lock(&st->lock);
		exiting = st->exiting;
		pthread_mutex_unlock(&st->lock);
	}
	return NULL;
}
