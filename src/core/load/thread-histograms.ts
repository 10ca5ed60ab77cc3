/**
 * The histograms each load thread keeps for itself, because their samples never leave the thread:
 * inter-token gaps (from every packet, traced or not), schedule lag and event-loop lag. The runner
 * merges the threads' encoded histograms by adding them, never by averaging percentiles.
 */
import { Hist } from '../metrics/histogram';
import { feedItl, type ItlSink, type Phase } from '../metrics/itl';
import type { Packet } from '../protocols/types';
import { THREAD_HISTS, type EncodedHistograms, type ThreadHistName } from '../messages';

export class ThreadHistograms {
  readonly h: Record<ThreadHistName, Hist>;
  private readonly sink: ItlSink;

  constructor() {
    this.h = Object.fromEntries(THREAD_HISTS.map((n) => [n, new Hist()])) as Record<ThreadHistName, Hist>;
    const perToken: Record<Phase, Hist> = { thinking: this.h.itl_thinking, answer: this.h.itl_answer };
    const perPacket: Record<Phase, Hist> = { thinking: this.h.itl_packet_thinking, answer: this.h.itl_packet_answer };
    this.sink = {
      packetGap: (phase, gap) => perPacket[phase].record(gap),
      tokenGap: (phase, gap, count) => {
        const h = perToken[phase];
        for (let i = 0; i < count; i++) h.record(gap);
      },
    };
  }

  /** Every inter-token gap of one successful request. */
  addItl(packets: readonly Packet[], serverOutputTokens: number | undefined): void {
    feedItl(packets, serverOutputTokens, this.sink);
  }

  encode(): EncodedHistograms {
    return Object.fromEntries(THREAD_HISTS.map((n) => [n, this.h[n].encode()])) as EncodedHistograms;
  }

  /** Adds another thread's encoded histograms to these; names it does not know are ignored. */
  merge(encoded: Partial<EncodedHistograms>): void {
    for (const n of THREAD_HISTS) {
      const e = encoded[n];
      if (e !== undefined) this.h[n].add(Hist.decode(e));
    }
  }

  /** Per-token gaps of both phases together: the figure `expect itl ...` gates on. */
  itlAll(): Hist {
    const all = new Hist();
    all.add(this.h.itl_thinking);
    all.add(this.h.itl_answer);
    return all;
  }
}
