/**
 * Walks a keyset-paged read to its end: `read(after)` gives the rows after the cursor (the first
 * ones for `undefined`), each page is handled before the next is read, and a page shorter than
 * `limit` is the last. The background passes read what grows with the organisation this way.
 */
export async function eachPage<T, C>(limit: number, read: (after: C | undefined) => Promise<T[]>, cursor: (last: T) => C, handle: (page: T[]) => Promise<void>): Promise<void> {
  for (let after: C | undefined; ; ) {
    const page = await read(after);
    if (page.length) await handle(page);
    if (page.length < limit) return;
    after = cursor(page[page.length - 1]!);
  }
}
