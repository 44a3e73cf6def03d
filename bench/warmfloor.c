/* The floor of a warm jail per command, in C (issue 17): what a shell that keeps the
 * next command's jail ready can reach on this machine, with pola-sh's isolation minus
 * its checks, cgroups, seccomp and Landlock.
 *
 *   warmfloor [-p] [-c] N FILE CMD [ARG...]
 *
 * runs CMD N times in a row, each time in a jail of its own with FILE (an absolute
 * path) granted read-only at its place and its directory as the working directory
 * (FILE's top-level directory is a tmpfs of the jail's own, as /tmp is).
 * A helper (the "zygote", in a user namespace of its own) holds a template mount
 * namespace: a read-only tmpfs root with /usr, a set of /etc files and /dev's devices
 * bound read-only. Ahead of each command it forks a copy that makes fresh mount, PID,
 * IPC, UTS and network namespaces (loopback up) and forks the jail's PID 1, which
 * copies the namespace, mounts a private /tmp, /proc and devpts, pivots into the root,
 * and waits. On a request PID 1 clones the grant from the copy's namespace, attaches
 * it, locks the jail (a nested user and mount namespace), vforks the command, reports
 * its status as soon as it is reaped and exits; the jail's mount namespaces are given
 * to the zygote to close later (a last close waits for an RCU grace period).
 * With -p the jail also gets protections of pola-sh's size before its command: a
 * Landlock domain (writes only beneath /tmp and /dev) and a seccomp filter of 254
 * instructions, as many as pola-sh's default one (its rules are not pola-sh's).
 * With -c the jail is also locked (and protected) before the request, and the grant
 * arrives by propagation: the copy holds a carrier (a shared tmpfs at FILE's top-level
 * directory, of which the jail's copy is a peer, then a slave once locked); on the
 * request it moves a tree holding the grant onto it, and tells PID 1 to start the
 * command.
 * Exit status: 0 if every command exited 0. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/landlock.h>
#include <linux/mount.h>
#include <linux/seccomp.h>
#include <net/if.h>
#include <sched.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void die(const char *what) {
    perror(what);
    _exit(120);
}
static void put(const char *path, const char *text) {
    int fd = open(path, O_WRONLY);
    if (fd < 0 || write(fd, text, strlen(text)) < 0) die(path);
    close(fd);
}
static void map_ids(unsigned uid, unsigned gid) {
    char map[64];
    put("/proc/self/setgroups", "deny");
    snprintf(map, sizeof map, "%u %u 1", uid, uid);
    put("/proc/self/uid_map", map);
    snprintf(map, sizeof map, "%u %u 1", gid, gid);
    put("/proc/self/gid_map", map);
}
/* mkdir -p of `path` (absolute) below directory `base`. */
static void make_dirs(const char *base, const char *path, int last) {
    char buf[4096];
    snprintf(buf, sizeof buf, "%s%s", base, path);
    for (char *p = buf + strlen(base) + 1; *p; p++) {
        if (*p == '/') {
            *p = 0;
            if (mkdir(buf, 0755) && errno != EEXIST) die(buf);
            *p = '/';
        }
    }
    if (last && mkdir(buf, 0755) && errno != EEXIST) die(buf);
}
/* An empty file to mount a file on. */
static void make_point(const char *path) {
    int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
    if (fd < 0) die(path);
    close(fd);
}
/* Bind `from` read-only and nosuid (and `flags`, e.g. MS_NODEV) at `root` + `to`. */
static void bind_ro(const char *from, const char *root, const char *to, int is_dir,
                    unsigned long flags) {
    char target[4096];
    snprintf(target, sizeof target, "%s%s", root, to);
    make_dirs(root, to, is_dir);
    if (!is_dir) make_point(target);
    if (mount(from, target, NULL, MS_BIND | MS_REC, NULL)
        || mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | flags,
                 NULL))
        die(target);
}
/* The jail has its command: its three mount namespaces (the copy's, the jail's, the
 * locked one) go to the zygote, which closes them once the next jail has its own. */
static void hand_over(int sock, int host, int jail, int nested) {
    int fds[3] = {host, jail, nested};
    char byte = 't';
    struct iovec iov = {&byte, 1};
    char ctl[CMSG_SPACE(sizeof fds)];
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
                         .msg_controllen = sizeof ctl};
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof fds);
    memcpy(CMSG_DATA(c), fds, sizeof fds);
    if (sendmsg(sock, &msg, 0) < 0) die("sendmsg");
    close(host), close(jail), close(nested);
}

static const char *etc_files[] = {
    "ld.so.cache", "ld.so.conf", "nsswitch.conf", "localtime", "passwd", "group",
    "hosts", "host.conf", "resolv.conf", "gai.conf", "services", "protocols",
    "mime.types", "locale.alias", "os-release", "debian_version", "shells", "inputrc",
    "timezone", "hostname", "networks", "bash.bashrc", "profile", "environment", NULL};
static const char *etc_dirs[] = {"ld.so.conf.d", "alternatives", "ssl", NULL};
static const char *devices[] = {"null", "zero", "full", "random", "urandom", "tty", NULL};

/* -p: Landlock over writes, then a seccomp filter as long as pola-sh's. */
static int protect;
static int carrier; /* -c: the jail locked ahead, the grant by propagation */
static void protections(void) {
    struct landlock_ruleset_attr attr = {.handled_access_fs =
        LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR
        | LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_DIR
        | LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SYM};
    int ruleset = syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0);
    if (ruleset < 0) die("landlock_create_ruleset");
    static const char *writable[] = {"/tmp", "/dev", NULL};
    for (int i = 0; writable[i]; i++) {
        struct landlock_path_beneath_attr rule = {.allowed_access = attr.handled_access_fs};
        rule.parent_fd = open(writable[i], O_PATH | O_CLOEXEC);
        if (rule.parent_fd < 0
            || syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &rule, 0))
            die(writable[i]);
        close(rule.parent_fd);
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || syscall(SYS_landlock_restrict_self, ruleset, 0))
        die("landlock_restrict_self");
    close(ruleset);
    /* Checks of syscall numbers 600.. (none exists), skipped by every real call: the
     * filter costs its load (and JIT) in full, but only 6 instructions a call, less
     * than pola-sh's own — a floor, not a copy. */
    enum { CHECKS = 248 }; /* 254 instructions in all */
    struct sock_filter prog[CHECKS + 6];
    int n = 0;
    prog[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 4); /* arch */
    prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0xc000003e, 1, 0);
    prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
    prog[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0); /* nr */
    prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 600, 0, CHECKS - 1);
    for (int i = 0; i < CHECKS - 1; i++)
        prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 600 + i,
                                                 CHECKS - 1 - i, 0);
    prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM);
    struct sock_fprog fprog = {.len = (unsigned short)n, .filter = prog};
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog)) die("seccomp");
}

static unsigned uid, gid;
static char *root;        /* the template's root, a directory made for it */
static char *stage;       /* with -c: where a copy assembles the tree of a grant */
static const char *grant; /* absolute path of the granted file */
static char **command;
static char top[256]; /* the grant's top-level directory, "/tmp" or another */

/* The lock: every mount copied into a namespace of a child user namespace. The new
 * mount namespace, opened. */
static int lock(void) {
    if (unshare(CLONE_NEWUSER | CLONE_NEWNS)) die("lock");
    map_ids(uid, gid);
    return open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
}

/* Into the grant's directory, the command's working directory. */
static void enter_grant_dir(void) {
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", grant);
    *strrchr(dir, '/') = 0;
    if (chdir(dir[0] ? dir : "/")) die(dir);
}

/* PID 1's last step: the command, its status reported before PID 1 exits. */
static void run(int results) {
    pid_t cmd = vfork();
    if (cmd == 0) {
        execv(command[0], command);
        _exit(127);
    }
    int st = 0;
    if (cmd < 0 || waitpid(cmd, &st, 0) < 0) st = 127 << 8;
    if (write(results, &st, sizeof st) != sizeof st) die("report");
    _exit(0);
}

/* PID 1 of a jail: made ahead, waits for the request on `requests` (with -c, for its
 * copy's word on `go` that the grant is in place). */
static void pid1(int requests, int taken, int results, int go) {
    int host = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
    if (host < 0 || unshare(CLONE_NEWNS)) die("jail namespace");
    char path[4096];
    snprintf(path, sizeof path, "%s/tmp", root);
    if ((!carrier || strcmp(top, "/tmp"))
        && mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, "size=64m,mode=1777"))
        die(path);
    if (!carrier && strcmp(top, "/tmp")) { /* the grant's own top-level directory */
        snprintf(path, sizeof path, "%s%s", root, top);
        if (mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=755")) die(path);
    }
    snprintf(path, sizeof path, "%s/proc", root);
    if (mount("proc", path, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL)) die(path);
    snprintf(path, sizeof path, "%s/dev/pts", root);
    if (mount("devpts", path, "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666"))
        die(path);
    if (chdir(root) || syscall(SYS_pivot_root, ".", ".") || umount2(".", MNT_DETACH)
        || chdir("/"))
        die("pivot_root");
    int jail = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
    if (jail < 0) die("jail namespace");
    char byte;
    if (carrier) {
        /* Locked and protected before the request; the grant arrives by propagation. */
        int nested = lock();
        if (protect) protections();
        if (read(go, &byte, 1) != 1) _exit(0); /* no more commands */
        enter_grant_dir();
        hand_over(taken, host, jail, nested);
        run(results);
    }
    if (setns(host, CLONE_NEWNS)) die("back to the copy's namespace");

    if (read(requests, &byte, 1) != 1) _exit(0); /* no more commands */
    int tree = syscall(SYS_open_tree, AT_FDCWD, grant, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
    struct mount_attr ro = {.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV};
    if (tree < 0 || syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH, &ro, sizeof ro))
        die(grant);
    if (setns(jail, CLONE_NEWNS)) die("enter the jail");
    make_dirs("", grant, 0);
    make_point(grant);
    if (syscall(SYS_move_mount, tree, "", AT_FDCWD, grant, MOVE_MOUNT_F_EMPTY_PATH))
        die("move_mount");
    close(tree);
    enter_grant_dir();
    hand_over(taken, host, jail, lock());
    if (protect) protections();
    run(results);
}

/* The copy ahead: the jail's namespaces, its PID 1. */
static void copy(int requests, int taken, int results) {
    signal(SIGCHLD, SIG_DFL);
    if (unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET))
        die("namespaces");
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct ifreq lo = {.ifr_name = "lo", .ifr_flags = IFF_UP | IFF_LOOPBACK | IFF_RUNNING};
    if (s < 0 || ioctl(s, SIOCSIFFLAGS, &lo)) die("loopback");
    close(s);
    char path[4096];
    int go[2] = {-1, -1};
    if (carrier) {
        /* The carrier: the grant's top-level directory, an empty tmpfs shared with the
         * jail (its copy there a peer, then a slave once the jail is locked). A grant
         * arrives as a child of a tree moved onto it, so that it is locked in the jail
         * (the top of a tree propagated into it is not: only an empty tmpfs). */
        snprintf(path, sizeof path, "%s%s", root, top);
        if (mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=755")
            || mount(NULL, path, NULL, MS_SHARED, NULL)
            || mount("tmpfs", stage, "tmpfs", MS_NOSUID | MS_NODEV, "size=64m,mode=1777")
            || pipe2(go, O_CLOEXEC))
            die("carrier");
    }
    pid_t init = fork();
    if (init < 0) die("fork");
    if (init == 0) {
        if (carrier) close(go[1]);
        pid1(requests, taken, results, go[0]);
    }
    if (carrier) {
        close(go[0]);
        char byte;
        if (read(requests, &byte, 1) == 1) {
            bind_ro(grant, stage, grant + strlen(top), 0, MS_NODEV);
            snprintf(path, sizeof path, "%s%s", root, top);
            if (mount(stage, path, NULL, MS_MOVE, NULL) || write(go[1], "g", 1) != 1)
                die(grant);
        }
        close(go[1]);
    }
    while (waitpid(init, NULL, 0) < 0 && errno == EINTR) {
    }
    _exit(0);
}

static void zygote(int requests, int taken_rx, int taken_tx, int results) {
    if (unshare(CLONE_NEWUSER)) die("user namespace");
    map_ids(uid, gid);
    if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
        die("template namespace");
    if (mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=755")) die(root);
    static const char *dirs[] = {"/proc", "/dev/pts", "/tmp", NULL};
    for (int i = 0; dirs[i]; i++) make_dirs(root, dirs[i], 1);
    make_dirs(root, top, 1);
    bind_ro("/usr", root, "/usr", 1, 0);
    static const char *links[][2] = {{"usr/bin", "bin"}, {"usr/lib", "lib"},
                                     {"usr/lib64", "lib64"}, {"usr/sbin", "sbin"}};
    char path[4096];
    for (int i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "%s/%s", root, links[i][1]);
        if (symlink(links[i][0], path)) die(path);
    }
    for (int i = 0; etc_files[i]; i++) {
        snprintf(path, sizeof path, "/etc/%s", etc_files[i]);
        struct stat st;
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) bind_ro(path, root, path, 0, 0);
    }
    for (int i = 0; etc_dirs[i]; i++) {
        snprintf(path, sizeof path, "/etc/%s", etc_dirs[i]);
        struct stat st;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) bind_ro(path, root, path, 1, 0);
    }
    for (int i = 0; devices[i]; i++) {
        snprintf(path, sizeof path, "/dev/%s", devices[i]);
        bind_ro(path, root, path, 0, 0);
    }
    snprintf(path, sizeof path, "%s/dev/ptmx", root);
    if (symlink("pts/ptmx", path)) die(path);
    /* Shared by every jail: read-only. */
    if (mount(NULL, root, NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, "size=1m"))
        die("read-only template");
    signal(SIGCHLD, SIG_IGN);
    int held[3] = {-1, -1, -1};
    for (;;) {
        pid_t c = fork();
        if (c < 0) die("fork");
        if (c == 0) {
            close(taken_rx);
            copy(requests, taken_tx, results);
        }
        /* Wait until that jail has its command; then make the next one. */
        char byte;
        char ctl[CMSG_SPACE(sizeof(int) * 4)];
        struct iovec iov = {&byte, 1};
        struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
                             .msg_controllen = sizeof ctl};
        if (recvmsg(taken_rx, &msg, 0) <= 0) _exit(0);
        int prev[3];
        memcpy(prev, held, sizeof prev);
        struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
        if (cm && cm->cmsg_type == SCM_RIGHTS) memcpy(held, CMSG_DATA(cm), sizeof held);
        /* The jail before it has ended: its namespaces go now, off its way. */
        for (int i = 0; i < 3; i++)
            if (prev[i] >= 0) close(prev[i]);
    }
}

int main(int argc, char **argv) {
    for (; argc > 1 && argv[1][0] == '-'; argv++, argc--) {
        if (!strcmp(argv[1], "-p"))
            protect = 1;
        else if (!strcmp(argv[1], "-c"))
            carrier = 1;
        else
            break;
    }
    if (argc < 4) {
        fprintf(stderr, "usage: warmfloor [-p] [-c] N FILE CMD [ARG...]\n");
        return 2;
    }
    int n = atoi(argv[1]);
    grant = argv[2];
    command = argv + 3;
    const char *slash = grant[0] == '/' ? strchr(grant + 1, '/') : NULL;
    if (!slash || (size_t)(slash - grant) >= sizeof top) {
        fprintf(stderr, "warmfloor: FILE must be an absolute path below a directory\n");
        return 2;
    }
    memcpy(top, grant, slash - grant);
    uid = getuid(), gid = getgid();
    char dir[] = "/tmp/warmfloor.XXXXXX";
    root = mkdtemp(dir);
    char staging[] = "/tmp/warmfloor-stage.XXXXXX";
    stage = mkdtemp(staging);
    if (!root || !stage) die("mkdtemp");
    int req[2], res[2], tk[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, req)
        || socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, res)
        || socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, tk))
        die("socketpair");
    pid_t z = fork();
    if (z < 0) die("fork");
    if (z == 0) {
        close(req[0]), close(res[0]);
        zygote(req[1], tk[0], tk[1], res[1]);
    }
    close(req[1]), close(res[1]), close(tk[0]), close(tk[1]);
    int failed = 0;
    for (int i = 0; i < n; i++) {
        int st;
        struct pollfd ready = {res[0], POLLIN, 0};
        if (write(req[0], "g", 1) != 1 || poll(&ready, 1, 10000) != 1
            || read(res[0], &st, sizeof st) != sizeof st) {
            fprintf(stderr, "warmfloor: the jail did not report\n");
            failed = 1;
            break;
        }
        if (st) {
            fprintf(stderr, "warmfloor: command %d: status %#x\n", i, st);
            failed = 1;
        }
    }
    close(req[0]);
    kill(z, SIGKILL);
    waitpid(z, NULL, 0);
    /* The jail made ahead ends on the end of the requests; then its root can go. */
    int st;
    while (read(res[0], &st, sizeof st) > 0) {
    }
    rmdir(root);
    rmdir(stage);
    return failed;
}
