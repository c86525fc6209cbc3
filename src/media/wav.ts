/** Minimal PCM WAV reading and writing, enough to join narration clips with exact timings. */
export interface Pcm {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  data: Buffer;
}

export function parseWav(buf: Buffer): Pcm {
  if (buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') throw new Error('not a WAV file');
  let off = 12;
  let fmt: Omit<Pcm, 'data'> | null = null;
  while (off + 8 <= buf.length) {
    const id = buf.toString('ascii', off, off + 4);
    let size = buf.readUInt32LE(off + 4);
    const body = off + 8;
    if (id === 'fmt ') {
      fmt = { channels: buf.readUInt16LE(body + 2), sampleRate: buf.readUInt32LE(body + 4), bitsPerSample: buf.readUInt16LE(body + 14) };
    } else if (id === 'data') {
      // espeak-ng writes 0x7fffffff as the size when it streams; take what is there
      if (size > buf.length - body) size = buf.length - body;
      if (!fmt) throw new Error('WAV data before fmt chunk');
      return { ...fmt, data: buf.subarray(body, body + size) };
    }
    off = body + size + (size % 2);
  }
  throw new Error('WAV file has no data chunk');
}

export function wavSeconds(p: Pcm): number {
  return p.data.length / (p.sampleRate * p.channels * (p.bitsPerSample / 8));
}

export function silence(like: Omit<Pcm, 'data'>, seconds: number): Pcm {
  const frames = Math.round(seconds * like.sampleRate);
  return { ...like, data: Buffer.alloc(frames * like.channels * (like.bitsPerSample / 8)) };
}

export function encodeWav(parts: Pcm[]): Buffer {
  const { sampleRate, channels, bitsPerSample } = parts[0];
  const dataLen = parts.reduce((n, p) => n + p.data.length, 0);
  const head = Buffer.alloc(44);
  head.write('RIFF', 0, 'ascii');
  head.writeUInt32LE(36 + dataLen, 4);
  head.write('WAVE', 8, 'ascii');
  head.write('fmt ', 12, 'ascii');
  head.writeUInt32LE(16, 16);
  head.writeUInt16LE(1, 20);
  head.writeUInt16LE(channels, 22);
  head.writeUInt32LE(sampleRate, 24);
  head.writeUInt32LE(sampleRate * channels * (bitsPerSample / 8), 28);
  head.writeUInt16LE(channels * (bitsPerSample / 8), 32);
  head.writeUInt16LE(bitsPerSample, 34);
  head.write('data', 36, 'ascii');
  head.writeUInt32LE(dataLen, 40);
  return Buffer.concat([head, ...parts.map((p) => p.data)]);
}
