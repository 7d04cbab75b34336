/*
 * fuzz-mdmon-frames.c: libFuzzer target for mdmon's control frames
 * (managemon.c) and the metadata changes they ask for.
 *
 * What runs of managemon.c: recv_header(), recv_by(), recv_end() and the payload
 * classifiers is_disk_req(), is_vol_req(), is_migr_start(), reading the
 * frames from a memory file (this file includes managemon.c to reach
 * them: they are static, and managemon.c is not ours to change).  The
 * handlers behind them (serve_disk_req() ...) open devices and write
 * spare records, so they are not called: for each request, this target
 * computes what the monitor thread would apply (monitor.c: apply_update())
 * with the same pure functions, on a copy of the current metadata.
 *
 * Input (fuzz.h): a part with mdmon's current MPB (one that does not
 * decode: mdmon has none), then the raw byte stream mdadm sends: frames
 * of u32 start magic, i32 length, payload, u32 end magic.
 *
 * MPBs get their check_sum fixed before decoding (fuzz_decode_mpb()):
 * mdmon refuses a wrong one, and mutations should reach what follows.
 *
 * Checks: nothing crashes; every change the checks let through (a new
 * volume, a migration start, a checkpoint, a migration end, a rollback, a
 * takeover, a resize, a kill, a rename) leaves metadata that encodes and
 * decodes again, since the monitor writes it to every disk next; a renamed
 * volume's name is printable.
 *
 * A disk or volume request goes through mdmon's request validator
 * (mdmon-request.c) first, as in serve_disk_req() and serve_vol_req()
 * (with no disks in mdmon's view: an added or removed disk is refused),
 * and only one it takes is applied.
 */
#include "../../managemon.c"

#include <sys/mman.h>

#include "fuzz.h"
#include "imsm-resize.h"
#include "imsm-subarray.h"
#include "imsm-takeover.h"

#define T "mdmon-frames"

/* managemon.c calls into the monitor thread; none runs here. */
void mon_wake(struct mdmon_state *st)
{
	(void)st;
}

void mon_wait_passes(struct mdmon_state *st)
{
	st->exiting = true;
}

/* What the monitor would write next must encode and decode. */
static void check_writable(const struct imsm_super *s, const char *what)
{
	size_t cap = imsm_mpb_bytes(s), len;
	uint8_t *buf = malloc(cap);
	struct imsm_super *back;

	if (!buf)
		fuzz_fail(T, "out of memory");
	if (imsm_encode(s, buf, cap, &len) < 0) {
		fprintf(stderr, "fuzz-" T ": after %s: ", what);
		fuzz_fail(T, "the metadata mdmon would write does not encode");
	}
	if (imsm_decode(buf, len, &back) < 0) {
		fprintf(stderr, "fuzz-" T ": after %s: ", what);
		fuzz_fail(T, "the metadata mdmon would write does not decode");
	}
	imsm_free(back);
	free(buf);
	if (getenv("FUZZ_TRACE")) /* which changes an input reaches */
		fprintf(stderr, "fuzz-" T ": %s written\n", what);
}

static struct imsm_super *dup_or_die(const struct imsm_super *s)
{
	struct imsm_super *copy;

	if (imsm_super_dup(s, &copy) < 0)
		fuzz_fail(T, "out of memory");
	return copy;
}

static void apply_migration(const struct imsm_super *cur, const struct mdmon_disk_req *req)
{
	struct imsm_super *s = dup_or_die(cur);
	unsigned int members;
	int idx;

	if (req->type == MDMON_REQ_MIGR_CHECKPOINT) {
		if (imsm_olce_set_unit(s, (int)req->major, req->minor) == 0)
			check_writable(s, "a migration checkpoint");
	} else if (imsm_olce_end_volume(s, (int)req->major, IMSM_MAP_NORMAL) == 0) {
		idx = imsm_olce_next_volume(s, &members);
		if (idx >= 0 && imsm_olce_begin_volume(s, idx, members) < 0)
			idx = -1;
		check_writable(s,
			       idx >= 0 ? "a migration end and the next start" : "a migration end");
	}
	imsm_free(s);
}

static void apply_replacement(int r, struct imsm_super *upd, const char *what)
{
	if (r == 0) {
		check_writable(upd, what);
		imsm_free(upd);
	}
}

static void apply_disk_req(const struct imsm_super *cur, const struct mdmon_disk_req *req)
{
	struct imsm_takeover_request rq = {
	    .vol = (int)req->major, .new_level = (int)req->minor, .force = true};
	struct imsm_super *upd = NULL;
	unsigned int first;

	switch (req->type) {
	case MDMON_REQ_MIGR_CHECKPOINT:
	case MDMON_REQ_MIGR_END:
		apply_migration(cur, req);
		break;
	case MDMON_REQ_OLCE_ROLLBACK:
		apply_replacement(imsm_olce_rollback(cur, &upd, &first), upd, "a rollback");
		break;
	case MDMON_REQ_TAKEOVER:
		/* req_takeover()'s own check first */
		if (req->major > IMSM_MAX_RAID_DEVS || req->minor > 10)
			break;
		apply_replacement(imsm_takeover_apply(cur, &rq, &upd), upd, "a takeover");
		break;
	case MDMON_REQ_RESIZE:
		apply_replacement(
		    imsm_resize_apply(cur, (int)req->major, (uint64_t)req->minor * 1024, &upd), upd,
		    "a resize");
		break;
	default:
		break; /* ADD_SPARE, REMOVE_DISK: devices only */
	}
}

static void apply_vol_req(const struct imsm_super *cur, const struct mdmon_vol_req *req)
{
	struct imsm_super *s;
	char name[IMSM_NAME_BYTES + 1];

	if (req->index >= IMSM_MAX_RAID_DEVS)
		return; /* serve_vol_req(): -ENOENT */
	s = dup_or_die(cur);
	if (req->type == MDMON_VOL_KILL && imsm_kill_volume(s, (int)req->index) == 0 &&
	    s->num_raid_devs > 0)
		check_writable(s, "a kill");
	if (req->type == MDMON_VOL_RENAME) {
		memcpy(name, req->name, IMSM_NAME_BYTES);
		name[IMSM_NAME_BYTES] = '\0';
		if (imsm_rename_volume(s, (int)req->index, name) == 0) {
			check_writable(s, "a rename");
			fuzz_check_printable(T, "a renamed volume's name",
					     s->dev[req->index].volume,
					     strnlen(s->dev[req->index].volume, IMSM_NAME_BYTES));
		}
	}
	imsm_free(s);
}

static void apply_mpb(const struct imsm_super *cur, const void *buf, int32_t len)
{
	bool migr = is_migr_start(buf, len);
	struct imsm_super *upd, *s;
	size_t skip = migr ? MDMON_MIGR_MAGIC_BYTES : 0;

	if (fuzz_decode_mpb((const uint8_t *)buf + skip, (size_t)len - skip, &upd) < 0)
		return;
	if (migr && imsm_olce_check_start_update(cur, upd) == 0)
		check_writable(upd, "a migration start");
	if (!migr && imsm_check_volume_update(cur, upd) == 0) {
		s = dup_or_die(cur);
		imsm_apply_volume_update(s, upd);
		check_writable(s, "a new volume");
		imsm_free(s);
	}
	imsm_free(upd);
}

/* One frame, as serve_frame() and serve_update() read it; false at the
 * first error (mdmon closes the connection there). */
static bool serve_one(const struct imsm_super *cur, int fd)
{
	struct mdmon_disk_req dreq;
	struct mdmon_vol_req vreq;
	struct frame_clock clock;
	int32_t len;
	void *buf;
	bool ok;

	frame_clock_start(&clock);
	if (recv_header(fd, &len, &clock) < 0)
		return false;
	if (len <= 0)
		return recv_end(fd, &clock) == 0;
	buf = malloc((size_t)len);
	if (!buf)
		fuzz_fail(T, "out of memory");
	ok = recv_by(fd, buf, (size_t)len, &clock) == 0 && recv_end(fd, &clock) == 0;
	if (ok && is_disk_req(buf, len)) {
		memcpy(&dreq, buf, sizeof(dreq));
		if (cur && mdmon_check_disk_req(cur, NULL, 0, &dreq) == 0)
			apply_disk_req(cur, &dreq);
	} else if (ok && is_vol_req(buf, len)) {
		memcpy(&vreq, buf, sizeof(vreq));
		if (cur && mdmon_check_vol_req(cur, &vreq) == 0)
			apply_vol_req(cur, &vreq);
	} else if (ok && cur) {
		apply_mpb(cur, buf, len);
	}
	free(buf);
	return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	struct fuzz_in in = {data, size};
	struct imsm_super *cur = NULL;
	const uint8_t *mpb;
	size_t mpb_len;

	if (fd < 0 && (fd = memfd_create("fuzz-frames", MFD_CLOEXEC)) < 0)
		fuzz_fail(T, "memfd_create failed");
	if (!fuzz_part(&in, &mpb, &mpb_len))
		return 0;
	if (fuzz_decode_mpb(mpb, mpb_len, &cur) < 0)
		cur = NULL;
	if (ftruncate(fd, 0) < 0 || pwrite(fd, in.p, in.n, 0) != (ssize_t)in.n ||
	    lseek(fd, 0, SEEK_SET) != 0)
		fuzz_fail(T, "cannot write the frame file");
	for (int frames = 0; frames < 64 && serve_one(cur, fd); frames++)
		;
	imsm_free(cur);
	return 0;
}
