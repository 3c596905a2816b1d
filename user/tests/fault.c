/*
 * fault: a user program that writes to an unmapped address (0x10). The
 * kernel must not oops: it sends SIGSEGV, which kills the process. As
 * /init, that ends in Linux's "Attempted to kill init! exitcode=0x0000000b"
 * panic, after the "fault[1]: segfault at 10 ..." report.
 */
#include <string.h>
#include <unistd.h>

static void put(const char *s)
{
	write(1, s, strlen(s));
}

int main(void)
{
	put("about to fault\n");

	/*
	 * The pointer itself is volatile, so the compiler cannot know where
	 * it points: it emits the store and does not warn about it.
	 */
	volatile int *volatile p = (volatile int *)0x10;
	*p = 1;

	put("still alive after the fault\n");
	_exit(1);
}
