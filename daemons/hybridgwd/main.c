/*
 * main.c - hybridgwd: the hybridgw routing gateway daemon.
 *
 * Startup order matters: detach before sd_event_default() (an sd-event loop belongs to the
 * process that created it), and leave the invoker's stderr in place until the daemon is
 * ready, so that a daemon that cannot start says why where it was started.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "daemon.h"
#include "detach.h"
#include "log.h"
#include "options.h"

#define EXIT_USAGE 2

static int run(const struct hgwd_options *opts)
{
	struct hgwd *daemon = NULL;
	int ready_fd = -1;
	int r;

	log_init("hybridgwd", LOG_TARGET_STDERR, opts->log_level);
	if (!opts->foreground && hgwd_detach(&ready_fd) < 0)
		return EXIT_FAILURE;
	if (hgwd_new(opts, &daemon) < 0)
		return EXIT_FAILURE;
	if (ready_fd >= 0) {
		log_set_target(LOG_TARGET_JOURNAL);
		if (hgwd_detach_ready(ready_fd) < 0) {
			hgwd_free(daemon);
			return EXIT_FAILURE;
		}
	}
	r = hgwd_run(daemon);
	hgwd_free(daemon);
	log_info("stopped");
	return r < 0 ? EXIT_FAILURE : r;
}

int main(int argc, char *argv[])
{
	struct hgwd_options opts;
	char err[256];

	if (hgwd_options_parse(&opts, argc, argv, err, sizeof(err)) < 0) {
		fprintf(stderr, "hybridgwd: %s\nTry 'hybridgwd --help' for more information.\n",
			err);
		return EXIT_USAGE;
	}
	switch (opts.action) {
	case HGWD_SHOW_HELP:
		hgwd_usage(stdout);
		return EXIT_SUCCESS;
	case HGWD_SHOW_VERSION:
		printf("hybridgwd %s\n", PACKAGE_VERSION);
		return EXIT_SUCCESS;
	case HGWD_RUN:
		break;
	}
	return run(&opts);
}
