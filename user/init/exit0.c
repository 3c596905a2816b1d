/*
 * exit0: the tiny static program the fork_exec benchmark (user/rust/src/bin/
 * bench.rs) runs: it exits with status 0 at once, so that a fork+execve+wait
 * measures the kernel's exec path, not the program. A tool, not a test:
 * installed as /sbin/exit0.
 */
int main(void)
{
	return 0;
}
