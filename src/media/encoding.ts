/**
 * The picture's encoder settings, one list for every part of a render (the parts are joined without
 * encoding again, so they must agree).
 *
 * `youtube` follows YouTube's recommended upload settings: H.264 High, closed GOPs of half the frame rate
 * (no scene-cut keyframes), at most 2 consecutive B-frames, BT.709 colour, and an average bitrate at
 * YouTube's recommendation for SDR uploads (8 Mbps at 1080p30, see youtubeBitrate). x264 has no
 * minimum bitrate in CRF mode (a still picture at CRF 21 comes out near 1 Mbps), so the rate is x264's
 * one-pass average bitrate, capped by a VBV of 1.5x the target. `draft` is for quick looks: CRF 23 and
 * x264's own keyframe placement, a fraction of the size.
 */

export type VideoProfile = 'youtube' | 'draft';

/** YouTube's recommended SDR upload bitrates at 24-30 fps, by frame size: [pixels, bits per second]. */
const YOUTUBE_RATES: [number, number][] = [
  [640 * 360, 1_000_000],
  [854 * 480, 2_500_000],
  [1280 * 720, 5_000_000],
  [1920 * 1080, 8_000_000],
  [2560 * 1440, 16_000_000],
  [3840 * 2160, 40_000_000],
];

/**
 * The average video bitrate the `youtube` profile aims at for a w x h picture at fps, bits per second:
 * YouTube's table, interpolated by pixel count (a Short's 1080x1920 is 1080p's 8 Mbps), in proportion
 * below 360p and above 2160p, and 1.5x at high frame rates (48-60 fps), as the table does.
 */
export function youtubeBitrate(w: number, h: number, fps: number): number {
  const px = w * h;
  const [lo, hi] = px <= YOUTUBE_RATES[0][0] ? [YOUTUBE_RATES[0], YOUTUBE_RATES[0]] : (YOUTUBE_RATES.slice(1).map((r, i) => [YOUTUBE_RATES[i], r] as const).find(([, b]) => px <= b[0]) ?? [YOUTUBE_RATES.at(-1)!, YOUTUBE_RATES.at(-1)!]);
  const rate = lo === hi ? (lo[1] * px) / lo[0] : lo[1] + ((hi[1] - lo[1]) * (px - lo[0])) / (hi[0] - lo[0]);
  return Math.round((rate * (fps > 30 ? 1.5 * Math.max(1, fps / 60) : 1)) / 1000) * 1000;
}

/** Frames per GOP in the `youtube` profile: half the frame rate. */
export const gopFrames = (fps: number) => Math.max(1, Math.round(fps / 2));

/** libx264 output options for a profile (also the colour tags the graph's BT.709 conversion matches). */
export function videoEncoding(profile: VideoProfile, preset: string, w: number, h: number, fps: number): string[] {
  const common = [
    '-c:v', 'libx264', '-profile:v', 'high', '-preset', preset, '-pix_fmt', 'yuv420p', '-r', String(fps),
    '-color_primaries', 'bt709', '-color_trc', 'bt709', '-colorspace', 'bt709', '-color_range', 'tv',
  ];
  if (profile === 'draft') return [...common, '-crf', '23'];
  const gop = String(gopFrames(fps));
  const rate = youtubeBitrate(w, h, fps);
  return [
    ...common,
    '-g', gop, '-keyint_min', gop, '-sc_threshold', '0', '-bf', '2', '-flags', '+cgop',
    '-b:v', String(rate), '-maxrate', String(Math.round(rate * 1.5)), '-bufsize', String(rate * 2),
  ];
}
