/**
 * The red bar at the top of the page: one message per source (a replay, a run's metrics,
 * the live connection), so fixing one file clears its message and leaves the others.
 */
export class ErrorBar {
  private readonly messages = new Map<string, string>();

  constructor(private readonly el: HTMLElement) {}

  set(key: string, msg: string | null): void {
    if (msg === null) this.messages.delete(key);
    else this.messages.set(key, msg);
    const text = [...this.messages.values()].join('\n');
    this.el.textContent = text;
    this.el.hidden = text === '';
  }

  /** Drops every message whose key starts with `prefix`. */
  clear(prefix: string): void {
    for (const k of [...this.messages.keys()]) if (k.startsWith(prefix)) this.messages.delete(k);
    this.set('', null);
  }

  text(): string | null {
    return this.messages.size ? [...this.messages.values()].join('\n') : null;
  }
}
