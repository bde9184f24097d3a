/*
 * vhidd - the vhid daemon: owns /dev/uhid, creates virtual keyboards and
 * pointers for authorized clients, and releases their keys whatever they do.
 */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "daemon.h"
#include "log.h"
#include "logring.h"
#if HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif

/* A function of its own, not clock.h's inline, so that the request fuzz harness can
 * replace it with a clock that it moves. */
uint64_t
now_ms(void)
{
	return monotonic_ms();
}

static void
notify(const char *state)
{
#if HAVE_LIBSYSTEMD
	sd_notify(0, state);
#else
	(void)state;
#endif
}

static void
usage(FILE *f)
{
	fprintf(f,
		"Usage: vhidd [OPTION]...\n"
		"The vhid daemon: virtual HID keyboards and pointers for authorized clients.\n\n"
		"  -s, --socket PATH     listen on PATH (default %s)\n"
		"  -c, --config PATH     policy file (default %s)\n"
		"  -g, --group NAME      group of the socket and its directory (default %s)\n"
		"      --lease-ms N      release a silent client's keys after N ms (default: policy, 3000)\n"
		"      --keep-ms N       keep a released device that has readers N ms for its owner's\n"
		"                        next client (default: policy, 3000; 0: never)\n"
		"      --standby-keyboard yes|no\n"
		"                        keep a keyboard made for the next client (default: policy, yes)\n"
		"      --uhid PATH       the uhid device node (default /dev/uhid)\n"
		"  -l, --log-file PATH   also append the log to PATH (default: DIR/vhidd.log next to\n"
		"                        the socket, unless stderr is the journal; 'none' disables)\n"
		"  -n, --ready-fd FD     write a newline to FD once listening, then close it\n"
		"  -v, --verbose         log debug messages\n"
		"  -q, --quiet           log warnings and errors only\n"
		"  -h, --help            show this help\n"
		"  -V, --version         show the version\n\n"
		"Signals: SIGHUP reloads the policy; SIGTERM and SIGINT release every key,\n"
		"destroy every device, remove the socket and exit 0. See vhidd(8).\n",
		VHID_DEFAULT_SOCKET, VHID_DEFAULT_CONFIG, VHID_DEFAULT_GROUP);
}

static int
parse_args(int argc, char **argv, struct daemon_options *o)
{
	static const struct option opts[] = {
		{"socket", required_argument, NULL, 's'},
		{"config", required_argument, NULL, 'c'},
		{"group", required_argument, NULL, 'g'},
		{"lease-ms", required_argument, NULL, 'L'},
		{"keep-ms", required_argument, NULL, 'K'},
		{"standby-keyboard", required_argument, NULL, 'S'},
		{"uhid", required_argument, NULL, 'U'},
		{"log-file", required_argument, NULL, 'l'},
		{"ready-fd", required_argument, NULL, 'n'},
		{"verbose", no_argument, NULL, 'v'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{0},
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "s:c:g:l:n:vqhV", opts, NULL)) != -1) {
		switch (ch) {
		case 's':
			o->socket_path = optarg;
			break;
		case 'c':
			o->config_path = optarg;
			break;
		case 'g':
			o->socket_group = optarg;
			break;
		case 'L':
			o->lease_ms = atoi(optarg);
			if (o->lease_ms < 100) {
				fprintf(stderr, "vhidd: --lease-ms must be at least 100\n");
				return 2;
			}
			break;
		case 'K':
			o->keep_ms = atoi(optarg);
			if (o->keep_ms < 0 || o->keep_ms > 60000) {
				fprintf(stderr, "vhidd: --keep-ms must be 0..60000\n");
				return 2;
			}
			break;
		case 'S': {
			bool on;

			if (policy_parse_yes_no(optarg, &on) < 0) {
				fprintf(stderr, "vhidd: --standby-keyboard must be yes or no\n");
				return 2;
			}
			o->standby = on;
			break;
		}
		case 'U':
			o->uhid_path = optarg;
			break;
		case 'l':
			o->log_file = optarg;
			break;
		case 'n':
			o->ready_fd = atoi(optarg);
			break;
		case 'v':
			log_set_level(LOG_LEVEL_DEBUG);
			break;
		case 'q':
			log_set_level(LOG_LEVEL_WARN);
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("vhidd %s (protocol %d)\n", VHID_VERSION, VHID_PROTOCOL_VERSION);
			exit(0);
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vhidd: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	return 0;
}

/* Load the policy; on SIGHUP a broken file keeps the old one. */
static int
load_policy(struct daemon *d, bool reload)
{
	struct policy p;
	char err[256] = "", warn[512] = "", desc[512];
	int r = policy_load(&p, d->opt.config_path, &policy_system_resolver, err, sizeof(err), warn,
			    sizeof(warn));

	if (r == -ENOENT) {
		policy_default(&p, d->opt.socket_group, &policy_system_resolver);
		log_info("no %s; default policy", d->opt.config_path);
	} else if (r < 0) {
		log_error("%s: %s%s", d->opt.config_path, err,
			  reload ? "; keeping the previous policy" : "");
		return r;
	}
	if (warn[0])
		log_warn("%s: %s", d->opt.config_path, warn);
	if (d->opt.lease_ms > 0)
		p.lease_ms = (unsigned int)d->opt.lease_ms;
	if (d->opt.keep_ms >= 0)
		p.keep_ms = (unsigned int)d->opt.keep_ms;
	if (d->opt.standby >= 0)
		p.standby_keyboard = d->opt.standby;
	d->policy = p;
	policy_describe(&p, desc, sizeof(desc));
	log_info("policy%s: allowed: %s; lease %u ms; released devices kept %u ms; standby "
		 "keyboard %s",
		 reload ? " reloaded" : "", desc, p.lease_ms, p.keep_ms,
		 p.standby_keyboard ? "yes" : "no");
	if (d->vdev) {
		vdev_ctx_set_keep(d->vdev, p.keep_ms);
		vdev_ctx_set_standby(d->vdev, p.standby_keyboard);
	}
	return 0;
}

/* Which identities special drivers claim (a kernel update may change it: reread on SIGHUP). */
static void
load_identities(struct daemon *d)
{
	int n = identity_load_running(&d->identities);

	if (n >= 0)
		log_debug("%d special HID driver aliases in this kernel's module tables", n);
	else
		log_warn(
			"cannot read this kernel's modules.alias (%s): clients may use only vhid's "
			"default IDs and the policy's allow-ids",
			strerror(-n));
}

/* After a reload, callers the new policy refuses are told and disconnected. */
static void
recheck_clients(struct daemon *d)
{
	char why[300];

	for (struct client *c = d->clients, *next; c; c = next) {
		next = c->next;
		if (policy_allows(&d->policy, c->uid, c->groups, c->n_groups, why, sizeof(why)))
			continue;
		log_warn("%s: no longer allowed: %s", c->label, why);
		client_send_error(c, 0, 0, -VHID_EDENIED, "%s", why);
		client_flush(c);
		client_destroy(c, "no longer allowed by the policy");
	}
}

static void
begin_shutdown(struct daemon *d, const char *why)
{
	log_info("shutting down (%s): releasing every key and destroying every device", why);
	notify("STOPPING=1");
	d->shutting_down = true;
	server_close(d);
	vdev_ctx_set_standby(d->vdev, false);
	vdev_ctx_release_kept(d->vdev);
	for (struct client *c = d->clients, *next; c; c = next) {
		next = c->next;
		client_send(c, VHID_MSG_SHUTDOWN, 0, NULL, NULL, 0);
		client_flush(c);
		client_destroy(c, "daemon shutting down");
	}
}

static void
handle_signal(struct daemon *d)
{
	struct signalfd_siginfo si;

	while (read(d->signal_fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			log_info("SIGHUP: reloading %s", d->opt.config_path);
			if (load_policy(d, true) == 0)
				recheck_clients(d);
			load_identities(d);
		} else if (!d->shutting_down) {
			begin_shutdown(d, strsignal((int)si.ssi_signo));
		}
	}
}

/*
 * Every client costs a socket and up to three /dev/uhid fds: the default soft
 * limit of 1024 would refuse the 257th client with a keyboard, pointer and
 * absolute pointer. Raise the soft limit to the hard one.
 */
static void
raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			log_warn("cannot raise the open-file limit: %s", strerror(errno));
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
		log_debug("open-file limit %llu", (unsigned long long)rl.rlim_cur);
}

static int
setup(struct daemon *d)
{
	struct epoll_event ev = {.events = EPOLLIN};
	struct vdev_ctx_options vo = {.uhid_path = d->opt.uhid_path};
	sigset_t mask;
	int r;

	d->listen_fd = d->signal_fd = -1;
	d->start_ms = now_ms();
	raise_fd_limit();
	if (load_policy(d, false) < 0)
		return -EINVAL;
	load_identities(d);
	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	d->signal_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	ev.data.ptr = &d->signal_fd;
	if (d->epfd < 0 || d->signal_fd < 0 ||
	    epoll_ctl(d->epfd, EPOLL_CTL_ADD, d->signal_fd, &ev) < 0)
		return -errno;
	if (access(d->opt.uhid_path, F_OK) < 0)
		log_warn("%s does not exist: creating devices will fail until 'modprobe uhid'",
			 d->opt.uhid_path);
	if ((r = vdev_ctx_new(&vo, &d->vdev)) < 0) {
		log_error("cannot set up the device layer: %s", strerror(-r));
		return r;
	}
	vdev_ctx_set_keep(d->vdev, d->policy.keep_ms);
	ev.data.ptr = d->vdev;
	if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, vdev_ctx_get_fd(d->vdev), &ev) < 0)
		return -errno;
	if ((r = server_listen(d)) < 0)
		return r;
	/* only once this daemon serves: one that lost the socket's lock makes nothing */
	vdev_ctx_set_standby(d->vdev, d->policy.standby_keyboard);
	return 0;
}

/*
 * Without the journal, keep a log next to the socket so `vhidctl log` finds the
 * lifecycle lines: mode 0600 (it names every user's programs), rotated at 1 MiB.
 */
static void
default_log_file(struct daemon *d)
{
	char path[sizeof(d->log_path)];
	const char *slash;
	int r;

	if (d->opt.log_file || log_stderr_is_journal())
		return;
	slash = strrchr(d->opt.socket_path, '/');
	snprintf(path, sizeof(path), "%.*s/vhidd.log",
		 slash ? (int)(slash - d->opt.socket_path) : 1, slash ? d->opt.socket_path : ".");
	if ((r = log_set_file(path)) < 0) {
		log_warn("not logging to %s: %s", path, log_file_error());
		return;
	}
	snprintf(d->log_path, sizeof(d->log_path), "%s", path);
	log_info("logging to %s too (vhidctl log reads it)", path);
}

static void
dispatch(struct daemon *d, struct epoll_event *ev)
{
	void *tag = ev->data.ptr;
	struct client *c;

	if (tag == &d->listen_fd) {
		server_accept(d);
	} else if (tag == &d->signal_fd) {
		handle_signal(d);
	} else if (tag == d->vdev) {
		vdev_ctx_dispatch(d->vdev);
	} else {
		c = tag;
		if (c->dead)
			return;
		if (ev->events & (EPOLLIN | EPOLLHUP | EPOLLERR))
			client_handle_input(c);
		if (!c->dead && (ev->events & EPOLLOUT))
			client_flush(c);
	}
}

/*
 * Once the last client has left and its devices are gone, hand the heap of
 * the busy spell back: glibc keeps freed chunks that lie below the top of the
 * heap (measured: 512 clients left 4.8 MiB resident in a daemon idle at 0.2).
 */
static void
trim_when_idle(struct daemon *d, bool *busy)
{
	if (d->n_clients > 0) {
		*busy = true;
	} else if (*busy && vdev_ctx_lingering(d->vdev) == 0) {
		malloc_trim(0);
		*busy = false;
	}
}

static int
run(struct daemon *d)
{
	struct epoll_event events[64];
	bool busy = false;

	d->running = true;
	while (d->running) {
		int timeout = clients_check_leases(d);
		int n = epoll_wait(d->epfd, events, 64, timeout);

		if (n < 0 && errno != EINTR) {
			log_error("epoll_wait: %s", strerror(errno));
			return 1;
		}
		for (int i = 0; i < n; i++)
			dispatch(d, &events[i]);
		/* pushes and replies queued during this iteration go out in one write each */
		for (struct client *c = d->clients; c; c = c->next)
			client_flush(c);
		clients_free_graveyard(d);
		trim_when_idle(d, &busy);
		if (d->shutting_down && vdev_ctx_lingering(d->vdev) == 0)
			d->running = false;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct daemon d = {
		.opt =
			{
				.socket_path = VHID_DEFAULT_SOCKET,
				.config_path = VHID_DEFAULT_CONFIG,
				.socket_group = VHID_DEFAULT_GROUP,
				.uhid_path = "/dev/uhid",
				.ready_fd = -1,
				.keep_ms = -1,
				.standby = -1,
			},
	};
	char desc[64];
	int r;

	r = parse_args(argc, argv, &d.opt);
	if (r)
		return r;
	logring_start(); /* from the first line: GET_LOG serves the start-up too */
	if (d.opt.log_file && strcmp(d.opt.log_file, "none") != 0) {
		if ((r = log_set_file(d.opt.log_file)) < 0)
			log_error("not logging to %s: %s", d.opt.log_file, log_file_error());
		else
			snprintf(d.log_path, sizeof(d.log_path), "%s", d.opt.log_file);
	}
	if (server_prepare(&d) < 0)
		return 1;
	default_log_file(&d);
	log_info("vhidd %s (protocol %d.%d, version number %d) starting, pid %d", VHID_VERSION,
		 VHID_PROTOCOL_VERSION, VHID_PROTOCOL_MINOR, VHID_VERSION_NUMBER, (int)getpid());
	if (setup(&d) < 0) {
		vdev_ctx_free(d.vdev);
		return 1;
	}
	snprintf(desc, sizeof(desc), "STATUS=listening on %.40s", d.opt.socket_path);
	notify("READY=1");
	notify(desc);
	if (d.opt.ready_fd >= 0) {
		/* s6-style readiness for supervisors (and tests) without systemd */
		if (write(d.opt.ready_fd, "\n", 1) != 1)
			log_warn("cannot write to ready fd %d: %s", d.opt.ready_fd,
				 strerror(errno));
		close(d.opt.ready_fd);
	}
	r = run(&d);
	vdev_ctx_free(d.vdev);
	identity_free(&d.identities);
	log_info("exit");
	logring_stop();
	return r;
}
