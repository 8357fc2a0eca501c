/**
 * Ends the process only once everything written to stdout and stderr has left it.
 *
 * Writes to a pipe are asynchronous in Node: `process.exit` right after a large write drops what is still
 * buffered (a reader of `mcjobs jobs --all --json | …` got 64 KiB of 450 KiB). A write's callback runs after every
 * earlier write on that stream has been handed to the OS, so an empty write on each stream, then exit, loses
 * nothing. A reader that went away (EPIPE) cannot be written to: exit at once with the code.
 */
export function exitWhenFlushed(code: number): void {
  let pending = 2;
  const done = () => {
    pending -= 1;
    if (pending === 0) process.exit(code);
  };
  for (const stream of [process.stdout, process.stderr]) {
    if (stream.destroyed || !stream.writable) done();
    else stream.write("", done);
  }
}
