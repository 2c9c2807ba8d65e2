import type { Logger } from '../logger.js';
import { encodePayload, type PubSubTransport } from './pubsub-transport.js';

type Listener = (payload: unknown) => void;

/**
 * The event bus several `InProcessTransport`s of one process can share (for example two hub
 * instances started by one test). A transport without an explicit bus gets its own.
 */
export class InProcessBus {
  private readonly listeners = new Map<string, Set<Listener>>();

  add(topic: string, listener: Listener): () => void {
    let set = this.listeners.get(topic);
    if (!set) {
      set = new Set();
      this.listeners.set(topic, set);
    }
    set.add(listener);
    return () => {
      const current = this.listeners.get(topic);
      if (!current) return;
      current.delete(listener);
      if (current.size === 0) this.listeners.delete(topic);
    };
  }

  /** Snapshot of the listeners of a topic, so a listener unsubscribing mid-dispatch is safe. */
  listenersOf(topic: string): Listener[] {
    return [...(this.listeners.get(topic) ?? [])];
  }

  get topicCount(): number {
    return this.listeners.size;
  }
}

/**
 * Delivers events within one process, synchronously during `publish` (so per-publisher order is
 * the call order). A listener that throws is logged and does not stop delivery to the others.
 */
export class InProcessTransport implements PubSubTransport {
  private readonly own = new Map<Listener, () => void>();
  private closed = false;

  constructor(
    private readonly logger: Logger,
    private readonly bus: InProcessBus = new InProcessBus(),
  ) {}

  async publish(topic: string, payload: unknown): Promise<void> {
    if (this.closed) throw new Error('pubsub transport is closed');
    const json = encodePayload(payload);
    for (const listener of this.bus.listenersOf(topic)) {
      try {
        listener(JSON.parse(json));
      } catch (err) {
        this.logger.error({ err, topic }, 'pubsub listener failed');
      }
    }
  }

  subscribe(topic: string, onMessage: (payload: unknown) => void): () => void {
    if (this.closed) return () => {};
    // Wrap so the same callback can be subscribed twice and each registration removed alone.
    const listener: Listener = (payload) => onMessage(payload);
    const remove = this.bus.add(topic, listener);
    this.own.set(listener, remove);
    return () => {
      const removeOwn = this.own.get(listener);
      if (!removeOwn) return;
      this.own.delete(listener);
      removeOwn();
    };
  }

  /** Number of listeners this transport holds (diagnostics and leak tests). */
  get listenerCount(): number {
    return this.own.size;
  }

  async ping(): Promise<void> {
    if (this.closed) throw new Error('pubsub transport is closed');
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const remove of this.own.values()) remove();
    this.own.clear();
  }
}
