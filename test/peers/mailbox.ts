/**
 * What a peer received, in order. `take` hands out each message once: the
 * next not yet taken one that matches, waiting for it if needed. So a test
 * that sends a code, then resends, gets the first code and then the second.
 */
export class Mailbox<T> {
  readonly all: T[] = []
  private readonly taken = new Set<number>()
  private readonly waiters = new Set<() => void>()

  push(message: T): void {
    this.all.push(message)
    for (const wake of [...this.waiters]) wake()
  }

  /** The next message not taken yet for which `match` is true. */
  take(what: string, match: (message: T) => boolean, timeoutMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const tryTake = (): boolean => {
        const index = this.all.findIndex((message, i) => !this.taken.has(i) && match(message))
        if (index < 0) return false
        this.taken.add(index)
        resolve(this.all[index]!)
        return true
      }
      if (tryTake()) return
      const wake = (): void => {
        if (tryTake()) done()
      }
      const timer = setTimeout(() => {
        done()
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what} (received so far: ${this.all.length})`))
      }, timeoutMs)
      const done = (): void => {
        clearTimeout(timer)
        this.waiters.delete(wake)
      }
      this.waiters.add(wake)
    })
  }
}
