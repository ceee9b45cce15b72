import { eventHash, GENESIS_HASH, type ChainedContent } from './audit.rules.js';

export interface ChainedEvent extends ChainedContent {
  id?: number;
  hash: string;
}

export type ChainProblemKind = 'edited' | 'deleted' | 'inserted';

export interface ChainProblem {
  kind: ChainProblemKind;
  /** The event named (for a deletion: the first missing position). */
  seq: number;
  id?: number;
  message: string;
}

const name = (e: { seq: number; id?: number; action?: string }) =>
  `event #${e.seq}${e.id !== undefined ? ` (id ${e.id}${e.action ? `, ${e.action}` : ''})` : ''}`;

/**
 * Walks events in `seq` order and returns the first problem. `contiguous` (the database): the
 * chain starts at #1 and has no gaps. Otherwise (a filtered export): each event's own hash is
 * checked, and the link to the previous event only where the two are consecutive.
 */
export class ChainWalker {
  private last: ChainedEvent | undefined;
  checked = 0;
  links = 0;
  gaps = 0;

  constructor(private readonly contiguous: boolean) {}

  get lastSeq(): number {
    return this.last?.seq ?? 0;
  }
  get lastHash(): string {
    return this.last?.hash ?? GENESIS_HASH;
  }

  next(e: ChainedEvent): ChainProblem | undefined {
    const expected = this.lastSeq + 1;
    if (this.last && e.seq <= this.last.seq) {
      return { kind: 'inserted', seq: e.seq, id: e.id, message: `${name(e)} is out of order after ${name(this.last)}: it was inserted` };
    }
    if (this.contiguous && e.seq > expected) {
      const range = e.seq - 1 > expected ? `events #${expected}–#${e.seq - 1} are` : `event #${expected} is`;
      return { kind: 'deleted', seq: expected, message: `${range} missing (deleted) before ${name(e)}` };
    }
    if (eventHash(e) !== e.hash) {
      return { kind: 'edited', seq: e.seq, id: e.id, message: `${name(e)} was edited: its content no longer matches its hash` };
    }
    if (e.seq === expected) {
      const prevHash = this.last ? this.last.hash : e.seq === 1 ? GENESIS_HASH : undefined;
      if (prevHash !== undefined) {
        this.links++;
        if (e.prevHash !== prevHash) {
          const before = this.last ? name(this.last) : 'the start of the chain';
          return { kind: 'edited', seq: e.seq, id: e.id, message: `${name(e)} does not follow ${before}: ${this.last ? `${name(this.last)} was replaced or rewritten` : 'the chain was rewritten'}` };
        }
      }
    } else if (this.last) {
      this.gaps++;
    }
    this.checked++;
    this.last = e;
    return undefined;
  }

  /** The database's head row must name the last event walked. */
  finish(head: { seq: number; hash: string }): ChainProblem | undefined {
    if (head.seq > this.lastSeq) {
      const from = this.lastSeq + 1;
      return { kind: 'deleted', seq: from, message: `${from === head.seq ? `event #${from} is` : `events #${from}–#${head.seq} are`} missing (deleted) at the end of the chain` };
    }
    if (head.seq < this.lastSeq) {
      return { kind: 'inserted', seq: head.seq + 1, message: `events after the chain's head #${head.seq} were inserted (the last is ${name(this.last!)})` };
    }
    if (this.last && head.hash !== this.last.hash) {
      return { kind: 'edited', seq: this.last.seq, id: this.last.id, message: `${name(this.last)} was rewritten: its hash differs from the chain's head` };
    }
    return undefined;
  }
}
