import { renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";

let sequence = 0;

/**
 * Writes `data` to `file` so that readers only ever see the old file or the whole new one: the data goes to
 * a temporary file in the same directory (`.<name>.<pid>.<n>.tmp`), which is then renamed over `file`
 * (rename is atomic within one file system). A crash mid-write leaves at most that hidden temporary file,
 * never a truncated `file`.
 *
 * Hand-rolled rather than `write-file-atomic`: the whole algorithm is these lines, and rungs keeps its
 * runtime dependencies few. Synchronous on purpose: records are small, and a record is on disk before the
 * caller goes on (see {@link recordRun}).
 *
 * @throws the file system's error (ENOENT, EACCES, ENOSPC...) after removing the temporary file.
 */
export function writeFileAtomicSync(file: string, data: string): void {
  sequence += 1;
  const temporary = join(dirname(file), `.${basename(file)}.${process.pid}.${sequence}.tmp`);
  try {
    writeFileSync(temporary, data, { flag: "wx" });
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
