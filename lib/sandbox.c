/*
 * sandbox.c -- confine a route process once it has started up (as kcgi
 * does): a seccomp-BPF filter (libseccomp) allows only the system calls
 * that serving requests needs, and any other call kills the process
 * (SIGSYS; the web server logs the worker's death and starts another).
 *
 * What stays allowed, and why:
 *  - reading and writing the FastCGI socket or CGI stdin/stdout, accepting
 *    the next FastCGI connection, waiting for it (poll, select);
 *  - the database connection and its reconnect path: a new socket (Unix,
 *    IPv4, IPv6) and connect, its options, name lookup (which reads
 *    /etc/hosts and the like and may load an NSS module), TLS set-up;
 *  - opening files for reading only (templates are loaded on first use,
 *    libpq reads ~/.pgpass): an open that could create, truncate or write
 *    a file is forbidden;
 *  - memory (malloc, the password hash's large blocks, malloc_trim), time,
 *    randomness (getrandom), signals the process sends itself, exit.
 * Never: execve, fork and other new processes, ptrace, writing or renaming
 * files, changing ownership or permissions, mounting, loading modules...
 * A build with the sanitizers (--enable-sanitizers) also allows what
 * LeakSanitizer's end-of-process check uses (a thread made with clone,
 * ptrace of the process's own threads, reading /proc/self): those builds
 * are for testing only.
 */
#include "config.h"

#include <sys/ioctl.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

/*
 * Ours before seccomp.h, against the usual order: seccomp.h pulls in
 * linux/audit.h, whose AUDIT_READ... macros would clash with the names of
 * enum audit_action in extern.h.
 */
#include "extern.h"

#include <seccomp.h>

/* Set by the compilers' sanitizer switches: see the top of the file. */
#if defined(__SANITIZE_ADDRESS__)
#define SANDBOX_SANITIZERS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANDBOX_SANITIZERS 1
#endif
#endif
#ifdef SANDBOX_SANITIZERS
#include <linux/sched.h> /* CLONE_VM */
#endif

/* System calls allowed whatever their arguments. */
static const char *const sandbox_calls[] = {
    /* file descriptors: the web server's, the database's, files read */
    "read",
    "readv",
    "pread64",
    "write",
    "writev",
    "pwrite64",
    "close",
    "lseek",
    "fstat",
    "newfstatat",
    "stat",
    "lstat",
    "statx",
    "fcntl",
    "dup",
    "dup2",
    "dup3",
    "access",
    "faccessat",
    "faccessat2",
    "readlink",
    "readlinkat",
    "getdents64",
    "getcwd",
    /* waiting */
    "poll",
    "ppoll",
    "select",
    "pselect6",
    "epoll_create1",
    "epoll_ctl",
    "epoll_wait",
    "epoll_pwait",
    /* sockets */
    "accept",
    "accept4",
    "connect",
    "getsockopt",
    "setsockopt",
    "getsockname",
    "getpeername",
    "sendto",
    "recvfrom",
    "sendmsg",
    "recvmsg",
    "shutdown",
    /* memory */
    "brk",
    "mmap",
    "munmap",
    "mremap",
    "mprotect",
    "madvise",
    "mlock",
    "munlock",
    /* time, randomness, identity, limits */
    "clock_gettime",
    "clock_getres",
    "gettimeofday",
    "time",
    "nanosleep",
    "clock_nanosleep",
    "getrandom",
    "getpid",
    "gettid",
    "getppid",
    "getuid",
    "geteuid",
    "getgid",
    "getegid",
    "getgroups",
    "getresuid",
    "getresgid",
    "uname",
    "getrlimit",
    "prlimit64",
    "getrusage",
    "sysinfo",
    "sched_getaffinity",
    "sched_yield",
    /* signals and threads' housekeeping (glibc) */
    "rt_sigaction",
    "rt_sigprocmask",
    "rt_sigreturn",
    "sigaltstack",
    "futex",
    "set_robust_list",
    "get_robust_list",
    "rseq",
    "restart_syscall",
    /* the end */
    "exit",
    "exit_group",
#ifdef SANDBOX_SANITIZERS
    /* LeakSanitizer stops the process's threads from a helper thread */
    "ptrace",
    "wait4",
    "waitid",
    "prctl",
    "sched_setaffinity",
    "process_vm_readv",
    "getdents",
#endif
};

/* Allow name whatever its arguments; a name this system lacks is
 * skipped. 0 / -1. */
static int
allow(scmp_filter_ctx ctx, const char *name)
{
	int nr = seccomp_syscall_resolve_name(name);

	if (nr == __NR_SCMP_ERROR)
		return 0;
	return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0) == 0 ? 0 : -1;
}

/* Any open flag that could create, truncate or write a file (O_TMPFILE
 * needs O_WRONLY or O_RDWR too). */
#define SANDBOX_OPEN_WRITES (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND)

/* System calls allowed only when one argument passes one comparison. */
static const struct {
	int nr;           /* SCMP_SYS(name) */
	unsigned int arg; /* which argument, from 0 */
	enum scmp_compare op;
	scmp_datum_t a, b; /* EQ: a; MASKED_EQ: (arg & a) == b */
} sandbox_narrow[] = {
    /* open(path, flags), openat(dir, path, flags): for reading only */
    {SCMP_SYS(open), 1, SCMP_CMP_MASKED_EQ, SANDBOX_OPEN_WRITES, 0},
    {SCMP_SYS(openat), 2, SCMP_CMP_MASKED_EQ, SANDBOX_OPEN_WRITES, 0},
    /* sockets for the database and name lookups; never raw or netlink */
    {SCMP_SYS(socket), 0, SCMP_CMP_EQ, AF_UNIX, 0},
    {SCMP_SYS(socket), 0, SCMP_CMP_EQ, AF_INET, 0},
    {SCMP_SYS(socket), 0, SCMP_CMP_EQ, AF_INET6, 0},
    /* isatty() and non-blocking mode; no other ioctl */
    {SCMP_SYS(ioctl), 1, SCMP_CMP_EQ, TCGETS, 0},
    {SCMP_SYS(ioctl), 1, SCMP_CMP_EQ, FIONBIO, 0},
    {SCMP_SYS(ioctl), 1, SCMP_CMP_EQ, FIONREAD, 0},
#ifdef SANDBOX_SANITIZERS
    /* LeakSanitizer's helper: a task sharing memory, never a process */
    {SCMP_SYS(clone), 0, SCMP_CMP_MASKED_EQ, CLONE_VM, CLONE_VM},
#endif
};

/* The calls allowed only with some arguments. 0 / -1. */
static int
allow_narrow(scmp_filter_ctx ctx)
{
	scmp_datum_t self = (scmp_datum_t)getpid();
	size_t i;
	int rc = 0;

	for (i = 0; i < sizeof(sandbox_narrow) / sizeof(sandbox_narrow[0]); i++)
		rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW,
		    sandbox_narrow[i].nr, 1,
		    SCMP_CMP(sandbox_narrow[i].arg, sandbox_narrow[i].op,
		        sandbox_narrow[i].a, sandbox_narrow[i].b));
	/* Signals to itself only (abort, raise). */
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
	    SCMP_A0(SCMP_CMP_EQ, self, 0));
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(kill), 1,
	    SCMP_A0(SCMP_CMP_EQ, self, 0));
#ifdef SANDBOX_SANITIZERS
	/* ... and to the threads LeakSanitizer stops. */
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 0);
#endif
	return rc == 0 ? 0 : -1;
}

int
sandbox_enter(void)
{
	scmp_filter_ctx ctx;
	size_t i;
	int rc = -1;

	if ((ctx = seccomp_init(SCMP_ACT_KILL_PROCESS)) == NULL) {
		LOG_ERR("sandbox: seccomp_init failed");
		return -1;
	}
	for (i = 0; i < sizeof(sandbox_calls) / sizeof(sandbox_calls[0]); i++)
		if (allow(ctx, sandbox_calls[i]) == -1) {
			LOG_ERR("sandbox: cannot allow %s", sandbox_calls[i]);
			goto out;
		}
	if (allow_narrow(ctx) == -1) {
		LOG_ERR("sandbox: cannot add the argument rules");
		goto out;
	}
	/* Also sets no_new_privs: the filter can never be shed. */
	if ((errno = -seccomp_load(ctx)) != 0) {
		LOG_ERR("sandbox: cannot load the filter: %s", strerror(errno));
		goto out;
	}
	rc = 0;
out:
	/* The one cleanup point. */
	seccomp_release(ctx);
	return rc;
}
