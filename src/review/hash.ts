import sharp from 'sharp';

/**
 * A 128-bit difference hash (dHash) of a picture: shrunk to 9x9 grey pixels, one bit per pair of
 * neighbours, 64 along the rows (is the left one brighter?) and 64 down the columns (is the upper one
 * brighter?), so neither horizontal stripes nor a left-to-right gradient hash to nothing. Re-encoding,
 * resizing, small crops, brightness and contrast changes move few bits; a different picture about half.
 */
export const HASH_BITS = 128;

export async function dHash(input: string | Buffer): Promise<string> {
  const { data } = await sharp(input).rotate().greyscale().resize(9, 9, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
  let bits = 0n;
  for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) bits = (bits << 1n) | (data[y * 9 + x] > data[y * 9 + x + 1] ? 1n : 0n);
  for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) bits = (bits << 1n) | (data[y * 9 + x] > data[(y + 1) * 9 + x] ? 1n : 0n);
  return bits.toString(16).padStart(HASH_BITS / 4, '0');
}

/** How many bits differ between two hashes. */
export function hammingDistance(a: string, b: string): number {
  let x = BigInt(`0x${a}`) ^ BigInt(`0x${b}`);
  let n = 0;
  while (x) {
    n += Number(x & 1n);
    x >>= 1n;
  }
  return n;
}
