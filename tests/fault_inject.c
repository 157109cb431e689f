/* Fault injection for the command-line tests (LD_PRELOAD): writes to files whose path contains
 * $BZINT_FAULT_PATH fail with ENOSPC ("No space left on device") once $BZINT_FAULT_AFTER bytes
 * (default 0) have gone to such files, as on a full disk. Every other write passes through. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static long long written;

ssize_t write(int fd, const void* buf, size_t n) {
    static ssize_t (*real_write)(int, const void*, size_t);
    if (!real_write) real_write = (ssize_t(*)(int, const void*, size_t))dlsym(RTLD_NEXT, "write");
    const char* pattern = getenv("BZINT_FAULT_PATH");
    if (pattern && *pattern && fd > 2) {
        char link[64], path[4096];
        snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
        const ssize_t len = readlink(link, path, sizeof path - 1);
        if (len > 0) {
            path[len] = '\0';
            if (strstr(path, pattern)) {
                const char* after_text = getenv("BZINT_FAULT_AFTER");
                const long long after = after_text ? atoll(after_text) : 0;
                const long long done = __atomic_load_n(&written, __ATOMIC_SEQ_CST);
                if (done >= after) {
                    errno = ENOSPC;
                    return -1;
                }
                const size_t allowed = (size_t)(after - done) < n ? (size_t)(after - done) : n;
                __atomic_add_fetch(&written, (long long)allowed, __ATOMIC_SEQ_CST);
                return real_write(fd, buf, allowed);
            }
        }
    }
    return real_write(fd, buf, n);
}
