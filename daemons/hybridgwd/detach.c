/*
 * detach.c - classic daemonisation that keeps the invoker waiting until the daemon is
 * ready (see detach.h).
 *
 * The invoker forks; the child starts a new session and forks again, so that the daemon
 * is no session leader and can never acquire a controlling terminal.  The invoker reaps
 * the intermediate child and then blocks reading a pipe: one byte means "ready", end of
 * file means the daemon died first.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "detach.h"
#include "log.h"

static noreturn void wait_for_daemon(pid_t child, int ready_fd)
{
	ssize_t n;
	char byte;

	while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
		;
	do {
		n = read(ready_fd, &byte, 1);
	} while (n < 0 && errno == EINTR);
	_exit(n == 1 ? EXIT_SUCCESS : EXIT_FAILURE);
}

int hgwd_detach(int *ready_fd)
{
	int pipefd[2];
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return log_err_errno(errno, "cannot create a pipe");
	pid = fork();
	if (pid < 0)
		return log_err_errno(errno, "cannot fork");
	if (pid > 0) {
		close(pipefd[1]);
		wait_for_daemon(pid, pipefd[0]);
	}
	close(pipefd[0]);
	if (setsid() < 0)
		fatal_errno(errno, "cannot start a new session");
	pid = fork();
	if (pid < 0)
		fatal_errno(errno, "cannot fork");
	if (pid > 0)
		_exit(EXIT_SUCCESS);
	if (chdir("/") < 0)
		fatal_errno(errno, "cannot change to /");
	*ready_fd = pipefd[1];
	return 0;
}

int hgwd_detach_ready(int ready_fd)
{
	int fd, target;

	/* Before releasing the invoker: if it captures our stderr through a pipe, it must see
	 * end of file once it has our status. */
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return log_err_errno(errno, "cannot open /dev/null");
	for (target = STDIN_FILENO; target <= STDERR_FILENO; target++) {
		if (dup2(fd, target) < 0)
			return log_err_errno(errno, "cannot redirect fd %d to /dev/null", target);
	}
	if (fd > STDERR_FILENO)
		close(fd);
	if (write(ready_fd, "", 1) != 1)
		return log_err_errno(errno, "cannot tell the invoking process that we are ready");
	close(ready_fd);
	return 0;
}
