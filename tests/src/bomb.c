/* A fork bomb bounded for the test machine: every process forks as fast as it can
   until N processes were made or SECONDS passed; the children stay 3 s longer. The
   top process prints how many forks succeeded and how many failed. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char **argv) {
    long n = atol(argv[1]);
    time_t end = time(NULL) + atoi(argv[2]);
    /* claimed slots, failed forks, made processes: shared by the whole tree */
    long *count = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    pid_t top = getpid();
    while (time(NULL) < end) {
        if (__atomic_add_fetch(&count[0], 1, __ATOMIC_SEQ_CST) > n) {
            __atomic_sub_fetch(&count[0], 1, __ATOMIC_SEQ_CST);
            usleep(50000);
            continue;
        }
        pid_t p = fork();
        if (p > 0)
            __atomic_add_fetch(&count[2], 1, __ATOMIC_SEQ_CST);
        if (p < 0) {
            __atomic_sub_fetch(&count[0], 1, __ATOMIC_SEQ_CST);
            __atomic_add_fetch(&count[1], 1, __ATOMIC_SEQ_CST);
            usleep(50000);
        }
    }
    if (getpid() == top) {
        printf("made=%ld\nfailed=%ld\n", count[2], count[1]);
        return 0;
    }
    sleep(3);
    return 0;
}
