/*
 * s2n_errno: s2n-tls exports the calling thread's last error as a thread-local
 * variable (`extern __thread int s2n_errno;` in s2n.h), so programs built against
 * s2n's own header reference this symbol. Stable Rust cannot define an exported
 * thread-local, so it lives here; rs2n reads and writes it only through
 * rs2n_errno_address(). A plain int with no destructor: it stays usable while the
 * thread's TLS destructors run (errors recorded at thread exit).
 */
__thread int s2n_errno = 0;

__attribute__((visibility("hidden"))) int *rs2n_errno_address(void);

int *rs2n_errno_address(void)
{
    return &s2n_errno;
}
