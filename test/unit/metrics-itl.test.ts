import { test } from 'node:test';
import assert from 'node:assert/strict';
import { feedItl, tokensPerPacket, type Phase } from '../../src/core/metrics/itl';
import type { Packet, PacketKind } from '../../src/core/protocols/types';

function packets(list: Array<[number, PacketKind]>): Packet[] {
  return list.map(([t_ms, kind]) => ({ t_ms, kind, bytes: 1, text: 'x' }));
}

function collect(ps: Packet[], server?: number) {
  const out = { packet: [] as Array<[Phase, number]>, token: [] as Array<[Phase, number, number]> };
  feedItl(ps, server, {
    packetGap: (ph, g) => out.packet.push([ph, g]),
    tokenGap: (ph, g, n) => out.token.push([ph, g, n]),
  });
  return out;
}

test('gaps are per phase: the switch from thinking to answer is not an inter-token gap', () => {
  const ps = packets([
    [5, 'other'],
    [100, 'thinking'],
    [120, 'heartbeat'],
    [130, 'thinking'],
    [170, 'thinking'],
    [500, 'answer'],
    [510, 'answer'],
    [530, 'answer'],
    [531, 'stats'],
  ]);
  const r = collect(ps);
  assert.deepEqual(r.packet, [
    ['thinking', 30],
    ['thinking', 40],
    ['answer', 10],
    ['answer', 20],
  ]);
  assert.deepEqual(r.token, [
    ['thinking', 30, 1],
    ['thinking', 40, 1],
    ['answer', 10, 1],
    ['answer', 20, 1],
  ]);
});

test('packets carrying several tokens spread their gap over them', () => {
  const ps = packets([
    [100, 'answer'],
    [160, 'answer'],
    [220, 'answer'],
  ]);
  assert.equal(tokensPerPacket(ps, 9), 3);
  const r = collect(ps, 9);
  assert.deepEqual(r.packet, [
    ['answer', 60],
    ['answer', 60],
  ]);
  assert.deepEqual(r.token, [
    ['answer', 20, 3],
    ['answer', 20, 3],
  ]);
});

test('a server count below the packet count never makes a packet carry less than one token', () => {
  assert.equal(tokensPerPacket(packets([[1, 'answer'], [2, 'answer']]), 1), 1);
  assert.equal(tokensPerPacket(packets([[1, 'other']]), 5), 1);
});
