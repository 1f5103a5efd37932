import { open, readdir, rename, rm, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

/** What a temp file of writeFileAtomic is called: `<target>.<pid>.<time>.tmp`, beside its target. */
const TEMP_PATTERN = /\.\d+\.\d+\.tmp$/

const tempPathFor = (path: string): string => `${path}.${process.pid}.${Date.now()}.tmp`

/**
 * Writes a file so that a reader sees the old content or the new one, whole, never a part: into a temp file in the
 * same directory (so the rename stays on one filesystem), fsynced, then renamed over the target, and the directory
 * fsynced so the rename survives a power cut. A failed write (ENOSPC, EROFS) removes its temp file and throws.
 */
export async function writeFileAtomic (path: string, data: Uint8Array | string): Promise<void> {
  const temp = await writeTempFile(path, data)
  try {
    await rename(temp, path)
  } catch (err) {
    await rm(temp, { force: true })
    throw err
  }
  await syncDirectory(dirname(path))
}

/** Writes and fsyncs a temp file beside `path`; returns its name. Removes it when the write fails. */
async function writeTempFile (path: string, data: Uint8Array | string): Promise<string> {
  const temp = tempPathFor(path)
  try {
    const handle = await open(temp, 'w', 0o644)
    try {
      await handle.writeFile(data)
      await handle.sync()
    } finally {
      await handle.close()
    }
    return temp
  } catch (err) {
    await rm(temp, { force: true })
    throw err
  }
}

async function syncDirectory (directory: string): Promise<void> {
  // Some filesystems refuse fsync on a directory (EISDIR, EINVAL); the rename itself has happened.
  const handle = await open(directory, 'r').catch(() => undefined)
  if (handle === undefined) return
  try {
    await handle.sync().catch(() => {})
  } finally {
    await handle.close()
  }
}

/**
 * Removes the temp files a killed process left in a directory (the name pattern of tempPathFor) that are older than
 * this process: a conversion cut by SIGKILL or a full disk leaves megabytes no later boot would reuse. Returns the
 * names removed.
 */
export async function removeStaleTempFiles (directory: string, startedAt = Date.now() - process.uptime() * 1000): Promise<string[]> {
  const names = await readdir(directory).catch(() => [] as string[])
  const removed: string[] = []
  for (const name of names.filter(n => TEMP_PATTERN.test(n))) {
    const path = join(directory, name)
    const info = await stat(path).catch(() => undefined)
    if (info === undefined || !info.isFile() || info.mtimeMs >= startedAt) continue
    await rm(path, { force: true })
    removed.push(basename(path))
  }
  return removed
}
