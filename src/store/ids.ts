// Row ids: UUID version 7, whose leading bits are the creation time. Rows written one after
// another then sit next to each other in every primary-key index, so a batch of steps appends
// to the same few b-tree pages instead of touching a random page per row (random v4 ids wrote
// three to four times as many pages per step). The time they carry is the row's own creation
// time, which every table already stores.
import { v7 } from "uuid";

// Random bits drawn 4 kB at a time: a system call per id (uuid's default) cost more than the
// rest of making it. Each id still gets 16 fresh bytes of its own.
const POOL = new Uint8Array(4096);
let used = POOL.length;
function random16(): Uint8Array {
  if (used + 16 > POOL.length) {
    crypto.getRandomValues(POOL);
    used = 0;
  }
  used += 16;
  return POOL.subarray(used - 16, used);
}

export const newRowId = (): string => v7({ rng: random16 });
